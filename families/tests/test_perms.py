"""The permission registry names only permissions that exist, and gives each a meaning."""

from __future__ import annotations

import ast
import inspect
from itertools import pairwise

import pytest
from django.contrib.auth.models import Permission

from families.access import perms

NAMES = [perms.VIEW, perms.CHANGE, perms.VIEW_RESTRICTED, perms.MANAGE_TEAM]


@pytest.mark.django_db
def test_every_registered_permission_is_one_of_familys() -> None:
    registered = set(NAMES).union(
        *perms.PERMISSIONS_BY_REASON.values(), *perms.ROLE_PERMISSIONS.values()
    )

    existing = set(
        Permission.objects.filter(
            content_type__app_label="families", content_type__model="family"
        ).values_list("codename", flat=True)
    )

    assert registered - existing == set()


def test_every_permission_name_has_a_docstring() -> None:
    body = ast.parse(inspect.getsource(perms)).body
    documented = {
        target.id
        for node, following in pairwise(body)
        if isinstance(node, ast.Assign) and isinstance(following, ast.Expr)
        if isinstance(following.value, ast.Constant) and isinstance(following.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    assert documented >= {"VIEW", "CHANGE", "VIEW_RESTRICTED", "MANAGE_TEAM"}
