"""allauth's pages speak Clientele's sentence case ("Sign in", "Recovery codes"), through
the project's English catalogue (locale/en), not copies of allauth's templates."""

import pytest
from django.utils import translation


def test_the_english_catalogue_overrides_allauths_title_case():
    with translation.override("en-us"):
        assert translation.gettext("Recovery Codes") == "Recovery codes"
        assert translation.gettext("Activate Authenticator App") == "Activate authenticator app"
        assert translation.gettext("Sign In") == "Sign in"


@pytest.mark.django_db
def test_two_factor_sub_pages_have_sentence_case_headings(client_as):
    staff = client_as("staff")
    page = staff.get("/accounts/2fa/totp/activate/", follow=True).content.decode()
    assert "Activate Authenticator App" not in page
    assert "Activate authenticator app" in page or "Confirm access" in page
