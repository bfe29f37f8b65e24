"""Bar charts of the bilan: labels wrapped whole, nominal series sorted, ordinal ones kept in order."""

from finder.present import charts


def test_long_labels_wrap_on_words_and_hyphens_stay():
    label = "Relais partenaire (France services, tiers-lieu…) et encore quelques mots"
    lines = charts.wrap(label)
    assert " ".join(lines) == label and all(len(x) <= charts.CHARS for x in lines)
    assert any("tiers-lieu…)" in x for x in lines)


def test_bars_sorted_unless_ordered_and_rows_grow_with_their_lines():
    items = [("a", 1), ("b " * 30, 5), ("c", 3)]
    chart = charts.bar_chart("x", "X", items)
    assert [b.value for b in chart.bars] == [5, 3, 1]
    assert chart.bars[0].height > chart.bars[1].height  # two lines of label
    assert chart.bars[0].width == charts.BAR_MAX and chart.bars[2].width < chart.bars[1].width
    assert chart.height == sum(b.height for b in chart.bars) + 4
    kept = charts.bar_chart("x", "X", items, ordered=True)
    assert [b.value for b in kept.bars] == [1, 5, 3]
    assert charts.bar_chart("x", "X", [("a", 0)]).bars[0].width == 0
