"""How a message lists names: capped, the same way everywhere (importer.errors.capped)."""

from __future__ import annotations

from importer.errors import capped


def test_a_long_list_is_capped_with_how_many_more() -> None:
    teams = [f"Team {n}" for n in range(1, 56)]
    assert capped(teams) == "Team 1, Team 2, Team 3, Team 4, Team 5, … and 50 more"
    assert capped(teams, 2) == "Team 1, Team 2, … and 53 more"


def test_a_short_list_is_whole_and_never_hides_just_one() -> None:
    assert capped([]) == ""
    assert capped(["A", "B"]) == "A, B"
    assert capped(list("ABCDEF")) == "A, B, C, D, E, F"  # not "A, B, C, D, E, … and 1 more"
    assert capped(list("ABCDEFG")) == "A, B, C, D, E, … and 2 more"
    assert str(capped([str(n) for n in range(1006)])).endswith("… and 1,001 more")


def test_a_capped_list_is_a_message_said_in_the_run_language() -> None:
    from importer.i18n.translator import Translator

    teams = [f"Team {n}" for n in range(1, 56)]
    assert Translator.for_lang("es").render(capped(teams)) == "Team 1, Team 2, Team 3, Team 4, Team 5, … y 50 más"
    assert Translator.for_lang("de").render(capped([str(n) for n in range(1006)])).endswith("… und 1.001 weitere")
    assert str(capped(teams)) == "Team 1, Team 2, Team 3, Team 4, Team 5, … and 50 more"  # English, as before
