"""« Où labelliser ? » said in plain words."""

from finder.domain.geography import Commune
from finder.domain.planning import Step
from finder.present import planning

FLOUR = Commune("15187", "Saint-Flour", "COM", "15", "200066637", 6500, ("15100",), None, 3.09, 45.03, "mairie")


def test_reason_in_plain_words():
    first = planning.reason(1, Step(0, 6543, 12, 100, 0.934), FLOUR, "Cantal", 20)
    assert first == (
        "Un lieu à Saint-Flour (Cantal) mettrait 6\u00a0543 habitants de 12 communes de plus à moins de "
        "20\u00a0km d'un lieu adapté ; la couverture passerait à 93,4\u00a0%."
    )
    second = planning.reason(2, Step(0, 80, 1, 100, 0.95), FLOUR, "Cantal", 12.5)
    assert "80 habitants de 1 commune de plus à moins de 12,5\u00a0km" in second
    assert "en plus des suggestions précédentes" in second and "glouton" not in second
