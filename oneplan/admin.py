"""The project package's models have no admin pages.

knox registers an admin for its own token model, which OnePlan swaps for
``oneplan.ApiToken`` (docs/decisions/0010): tokens are revoked on the pages for their
owner and the data protection officer, and never listed or made in the admin.
"""

from django.contrib import admin
from knox.models import AuthToken

if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)
