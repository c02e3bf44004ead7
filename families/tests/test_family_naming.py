"""A family is named "Blackburn family, F-000666" wherever the viewer may see names,
and by its reference alone otherwise (families.naming)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from conftest import World, client_for
from families.access.perms import VIEW
from families.models import Family, MemberRole
from families.naming import SURNAME, family_heading, family_surname, family_surname_subquery
from tests.factories import FamilyFactory, MembershipFactory

Member = tuple[str, str, datetime.date, datetime.date | None]


def _family(*members: Member) -> Family:
    family = FamilyFactory()
    for surname, role, born, ended in members:
        MembershipFactory(
            family=family,
            role=role,
            person__family_name=surname,
            person__date_of_birth=born,
            end_date=ended,
        )
    return family


D = datetime.date


@pytest.mark.parametrize(
    ("members", "name"),
    [
        # The main carer names the family, even when a child is older on the record.
        (
            [
                ("Ashby", MemberRole.CHILD, D(2012, 1, 1), None),
                ("Blackburn", MemberRole.PARENT_CARER, D(1990, 1, 1), None),
            ],
            "Blackburn",
        ),
        # No parent or carer: the eldest current member.
        (
            [
                ("Young", MemberRole.CHILD, D(2015, 1, 1), None),
                ("Elder", MemberRole.OTHER_ADULT, D(1960, 1, 1), None),
            ],
            "Elder",
        ),
        # Someone who has left does not name the family.
        (
            [
                ("Gone", MemberRole.PARENT_CARER, D(1980, 1, 1), D(2025, 6, 1)),
                ("Stays", MemberRole.CHILD, D(2014, 1, 1), None),
            ],
            "Stays",
        ),
        ([], ""),
    ],
)
def test_the_family_is_named_by_its_main_carer(db: None, members: list[Member], name: str) -> None:
    family = _family(*members)

    annotated = Family.objects.annotate(**{SURNAME: family_surname_subquery()}).get(pk=family.pk)

    assert family_surname(family) == name
    assert (getattr(annotated, SURNAME) or "") == name


def test_heading_names_the_family_for_those_who_may_see_names(world: World) -> None:
    family = world.own_family  # Jordan Ashby, a parent or carer
    ref = family.reference

    assert family_heading(family, world.keyworker.user) == f"Ashby family, {ref}"
    assert family_heading(family, world.practitioner.user, permissions=frozenset({VIEW})) == (
        f"Ashby family, {ref}"
    )
    # No sight of the family: its reference only (its page answers 404 anyway).
    assert family_heading(family, world.other_practitioner.user) == ref
    assert family_heading(family, world.keyworker.user, permissions=frozenset()) == ref


def test_the_family_page_is_headed_with_the_family_name(world: World) -> None:
    ref = world.own_family.reference

    html = client_for(world.keyworker).get(reverse("families:detail", args=[ref])).content.decode()

    assert f'<h1 class="govuk-heading-l">Ashby family, {ref}</h1>' in html
    assert f"<title>Ashby family, {ref} - " in html


def test_references_in_the_family_list_never_wrap(world: World) -> None:
    ref = world.own_family.reference

    html = client_for(world.keyworker).get(reverse("families:list")).content.decode()

    assert f'<span class="app-nowrap">{ref}</span>' in html


def test_the_access_log_names_a_family_as_its_pages_do(world: World) -> None:
    """The DPO's access events and the page headings use one naming rule, also for a
    family with no parent or carer in it now (named after its eldest member)."""
    from families.access.access_log import family_names_for_user

    no_carer = _family(
        ("Okafor", MemberRole.CHILD, D(2009, 3, 1), None),
        ("Ashby", MemberRole.CHILD, D(2006, 3, 1), None),
    )
    with_carer = _family(("Blackburn", MemberRole.PARENT_CARER, D(1985, 1, 1), None))
    dpo = world.dpo.user

    names = family_names_for_user(dpo, [no_carer.pk, with_carer.pk])

    assert names == {no_carer.pk: "Ashby", with_carer.pk: "Blackburn"}
    for family in (no_carer, with_carer):
        assert family_heading(family, dpo) == f"{names[family.pk]} family, {family.reference}"
