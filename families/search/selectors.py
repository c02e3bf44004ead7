"""Finding a person or family: by name (typos forgiven), date of birth, postcode or
family reference. Only people whose current family the user may see are ever returned.

Names are matched with trigrams (pg_trgm) on ``UPPER(family_name)`` and
``UPPER(given_name)``, the expressions the GIN indexes of ``families.Person`` are built
on, so the ``%`` operator can use them. With two or more words, the surname must be
similar to one of them and the given name only ranks the results: a search for
"Jonh Smiht" finds every Smith and puts John first, but does not list every John in the
county.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import F, FloatField, Q, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest, Upper

from agencies.models import AnyUser
from families import identifiers
from families.access.access import family_scope
from families.access.address import address_visible_q
from families.models import Family, HouseholdMembership

# F-000123, f000123 or f-123: the reference as people read it out or copy it.
_REFERENCE = re.compile(r"F-?(\d{1,6})", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
# Shorter words have too few trigrams to say anything: "Jo" is similar to nothing.
MIN_WORD_LENGTH = 2


@dataclass(frozen=True)
class PersonSearch:
    """What was searched for. Every part that is given must match."""

    text: str = ""
    date_of_birth: datetime.date | None = None
    postcode: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.text.strip() or self.date_of_birth or self.postcode.strip())

    @property
    def reference(self) -> str | None:
        """The family reference the text names, normalised (F-000123), if it is one."""
        match = _REFERENCE.fullmatch(self.text.strip())
        return f"F-{int(match.group(1)):06d}" if match else None

    @property
    def words(self) -> list[str]:
        """The name's words in upper case (the indexes hold UPPER), each as typed and
        without its accents: "Zoë" is looked for as ZOË and ZOE, since agencies' records
        differ in whether they keep accents."""
        if self.reference:
            return []
        words: list[str] = []
        for word in _WORDS.findall(self.text.upper()):
            for form in (word, _plain(word)):
                if len(form) >= MIN_WORD_LENGTH and form not in words:
                    words.append(form)
        return words

    @property
    def word_count(self) -> int:
        """How many words of a name were typed (a word's two forms count once)."""
        if self.reference:
            return 0
        return sum(1 for w in _WORDS.findall(self.text) if len(w) >= MIN_WORD_LENGTH)

    def as_filters(self) -> dict[str, str]:
        """What was searched for, for the access log."""
        filters = {"q": self.text.strip(), "postcode": self.postcode.strip()}
        if self.date_of_birth:
            filters["date_of_birth"] = self.date_of_birth.isoformat()
        return {key: value for key, value in filters.items() if value}


def search_error(search: PersonSearch) -> tuple[str, str] | None:
    """Why a search cannot run, as (field, message), or None. For forms and the API."""
    if search.is_empty:
        return ("q", "Enter a name, family reference, date of birth or postcode")
    text = search.text.strip()
    if text and not search.reference and not search.words:
        return ("q", f"Enter at least {MIN_WORD_LENGTH} letters of a name")
    if search.postcode.strip():
        message = identifiers.postcode_error(search.postcode)
        if message:
            return ("postcode", message)
    return None


def _plain(text: str) -> str:
    # The folding unaccent() does for Latin names, done here so the indexed UPPER(name)
    # expressions can still be used.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _best_similarity(column: str, words: list[str]) -> Combinable:
    scores = [TrigramSimilarity(Upper(column), word) for word in words]
    if len(scores) == 1:
        return scores[0]
    return Greatest(*scores, output_field=FloatField())


def _similar_to_any(column: str, words: list[str]) -> Q:
    # ``upper_<column>__trigram_similar`` compiles to UPPER(col) % 'WORD', the indexed form.
    return reduce(lambda a, b: a | b, (Q(**{f"{column}__trigram_similar": w}) for w in words))


def person_search_for_user(user: AnyUser, search: PersonSearch) -> QuerySet[HouseholdMembership]:
    """People matching ``search`` whose current family ``user`` may see, best match first.

    One row per person (a person lives in one household at a time), with the person and
    the family (and its LCG) loaded: a page of results is one query, whatever its size.
    A postcode finds a protected address (a refuge) only for users who may see it, so
    the search can never be used to learn where a family is hiding.
    """
    visible = Family.objects.filter(family_scope(user)).values("pk")
    rows = HouseholdMembership.objects.filter(end_date__isnull=True, family_id__in=visible)
    if search.reference:
        rows = rows.filter(family__reference=search.reference)
    if search.date_of_birth:
        rows = rows.filter(person__date_of_birth=search.date_of_birth)
    if search.postcode.strip():
        postcode = identifiers.normalise_postcode(search.postcode)
        rows = rows.filter(family__address__postcode=postcode).filter(
            address_visible_q(user, prefix="family__")
        )
    words = search.words
    if words:
        rows = rows.annotate(
            upper_family_name=Upper("person__family_name"),
            upper_given_name=Upper("person__given_name"),
            score=_best_similarity("person__family_name", words)
            + _best_similarity("person__given_name", words),
        )
        if search.word_count == 1:
            rows = rows.filter(
                _similar_to_any("upper_family_name", words)
                | _similar_to_any("upper_given_name", words)
            )
        else:
            rows = rows.filter(_similar_to_any("upper_family_name", words))
        order: list[str | Combinable] = [
            F("score").desc(),
            "person__family_name",
            "person__given_name",
            "pk",
        ]
    else:
        order = ["family__reference", "role", "person__date_of_birth", "pk"]
    return rows.select_related("person", "family", "family__lcg").order_by(*order)
