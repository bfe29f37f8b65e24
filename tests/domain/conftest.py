import pytest

from tests.national import national_geography


@pytest.fixture(scope="session")
def france():
    """The geography of all of France (metropolitan, Corsica and the five overseas départements)."""
    return national_geography()
