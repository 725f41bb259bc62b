import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

BROKEN = (
    "name,external_id,company_email,country\n"
    "Browser Import Alpha,BRW-1,info@alpha.example,US\n"
    "Browser Import Beta,BRW-2,not-an-email,GB\n"
)
FIXED = BROKEN.replace("not-an-email", "info@beta.example")


def test_import_customers_dry_run_fix_confirm_and_watch_progress(page, tenant_url, tmp_path):
    broken, fixed = tmp_path / "customers.csv", tmp_path / "customers-fixed.csv"
    broken.write_text(BROKEN)
    fixed.write_text(FIXED)
    sign_in(page, tenant_url, "staff@browser.example")
    page.goto(f"{tenant_url}/customers/")
    page.get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", name="Import customers")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "import-upload.png"), full_page=True)

    page.get_by_label("File").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and check").click()
    error_row = page.locator("tr", has_text="Browser Import Beta")
    expect(error_row).to_contain_text("Enter a valid email address.")
    expect(error_row).to_contain_text("3")  # its line in the file
    expect(page.get_by_role("button", name="Import 2 rows")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "import-dry-run.png"), full_page=True)

    page.get_by_role("link", name="upload it again").click()
    page.get_by_label("File").set_input_files(str(fixed))
    page.get_by_role("button", name="Upload and check").click()
    page.get_by_role("button", name="Import 2 rows").click()
    progress = page.get_by_role("progressbar", name="Import progress")
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_text("Imported 2 rows: 2 new, 0 updated, 0 unchanged.")).to_be_visible()
    # Each record the import made is linked from its row.
    expect(page.get_by_role("link", name="Browser Import Alpha")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

    page.get_by_role("link", name="Open customers").click()
    page.get_by_label("Search", exact=True).fill("Browser Import")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Browser Import Alpha", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="Browser Import Beta", exact=True)).to_be_visible()
