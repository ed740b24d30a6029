"""Every access to client data is in the audit trail; clinic admins can read and export it."""

from __future__ import annotations

from django.test import Client as Browser
from django.urls import reverse

from rapport.audit.models import AuditEvent
from rapport.feedback import services
from tests.conftest import People
from tests.factory import phq9


def _as(user: object) -> Browser:
    browser = Browser()
    browser.force_login(user)  # type: ignore[arg-type]
    return browser


class TestAuditTrail:
    def test_it_records_who_opened_which_clients_record(self, people: People) -> None:
        _as(people.alice).get(reverse("client-detail", args=[people.dana.pk]))
        event = AuditEvent.objects.get(route="client-detail")
        assert event.user == people.alice
        assert event.actor == "alice"
        assert event.client_id == people.dana.pk
        assert event.clinic == people.riverside
        assert (event.action, event.method, event.status) == ("view", "GET", 200)
        assert event.ip == "127.0.0.1"

    def test_it_records_refused_attempts_on_another_therapists_client(self, people: People) -> None:
        _as(people.alice).get(reverse("client-detail", args=[people.eli.pk]))
        event = AuditEvent.objects.get(route="client-detail")
        assert (event.actor, event.client_id, event.status) == ("alice", people.eli.pk, 404)

    def test_it_records_client_links_without_storing_the_token(self, people: People) -> None:
        session = people.factory.make_session(people.dana)
        link = services.issue_link(session, "start", people.alice)
        Browser().get(link.path)
        Browser().post(link.path, {f"phq9-item-{n}": "1" for n in range(1, 10)})
        events = list(AuditEvent.objects.filter(route="feedback-form").order_by("pk"))
        assert [(e.actor, e.action, e.client_id) for e in events] == [
            ("client link", "view", people.dana.pk),
            ("client link", "change", people.dana.pk),
        ]
        assert all(link.token not in e.path for e in events)
        assert f"[request {link.request.pk}]" in events[0].path

    def test_it_records_api_calls_and_list_pages(self, people: People) -> None:
        browser = _as(people.alice)
        browser.get(f"/api/clients/{people.dana.pk}/scores")
        browser.get(reverse("caseload"))
        routes = dict(AuditEvent.objects.values_list("route", "action"))
        assert routes["list_scores"] == "view"
        assert routes["caseload"] == "list"

    def test_it_records_operators_browsing_the_admin(self, people: People) -> None:
        people.alice.is_staff = people.alice.is_superuser = True
        people.alice.save()
        browser = _as(people.alice)
        assert browser.get("/admin/feedback/response/").status_code == 200
        event = AuditEvent.objects.get(route="admin:feedback_response_changelist")
        assert (event.actor, event.action) == ("alice", "list")

    def test_it_ignores_pages_without_client_data(self, people: People) -> None:
        Browser().get(reverse("login"))
        _as(people.alice).get(reverse("client-new"))
        Browser().get(reverse("password_reset_confirm", args=["MQ", "set-password"]))
        assert not AuditEvent.objects.exists()

    def test_it_records_a_long_username_and_a_path_with_a_nul(self, people: People) -> None:
        """Usernames run to 150 characters and a crafted path may hold NUL; neither may cost
        an event (PostgreSQL refused both, and the event went unrecorded)."""
        people.alice.username = "a" * 150
        people.alice.is_staff = people.alice.is_superuser = True
        people.alice.save()
        browser = _as(people.alice)
        browser.get(reverse("client-detail", args=[people.dana.pk]))
        browser.get("/admin/feedback/response/%00/change/")  # an operator's crafted address
        events = AuditEvent.objects.order_by("pk").values_list("actor", "path")
        assert list(events) == [
            ("a" * 150, f"/clients/{people.dana.pk}/"),
            ("a" * 150, "/admin/feedback/response/\ufffd/change/"),
        ]


class TestAuditPage:
    def test_it_shows_the_admin_their_clinics_trail_and_exports_it(self, people: People) -> None:
        f = people.factory
        f.make_response(f.make_session(people.dana), "phq9", phq9([1] * 9))
        _as(people.alice).get(reverse("client-detail", args=[people.dana.pk]))
        _as(people.charlie).get(reverse("caseload"))  # another clinic: not Ada's to see
        admin = _as(people.ada)
        page = admin.get(reverse("audit-log") + f"?client={people.dana.pk}").text
        assert "client-detail" in page
        assert "charlie" not in page
        csv = b"".join(admin.get(reverse("audit-export") + "?actor=alice").streaming_content)
        lines = csv.decode().strip().splitlines()
        assert lines[0] == "at,actor,action,route,method,path,status,client_id,ip"
        assert any(",alice,view,client-detail,GET," in line for line in lines[1:])
        assert not any("charlie" in line for line in lines)
        assert AuditEvent.objects.filter(actor="ada", route="audit-export").exists()

    def test_it_explains_a_bad_filter(self, people: People) -> None:
        page = _as(people.ada).get(reverse("audit-log") + "?since=yesterday")
        assert page.status_code == 400
        assert "is not a date" in page.text

    def test_it_explains_filters_no_record_or_name_holds(self, people: People) -> None:
        """A superscript "²" passes isdigit() but is no number; a NUL byte cannot even be
        compared in PostgreSQL. Both are a 400 with a message, on the page and the export."""
        admin = _as(people.ada)
        for query, message in (
            ("?client=%C2%B2", "record number"),
            ("?client=99999999999", "record number"),
            ("?actor=%00", "control character"),
        ):
            page = admin.get(reverse("audit-log") + query)
            assert page.status_code == 400
            assert message in page.text
            assert admin.get(reverse("audit-export") + query).status_code == 400

    def test_the_export_defuses_spreadsheet_formulas(self, people: People) -> None:
        """A cell that starts with =, +, - or @ is written with a leading ' so a spreadsheet
        shows it instead of running it (OWASP's CSV injection)."""
        AuditEvent.objects.create(
            clinic=people.riverside, actor="=HYPERLINK(1)", action="view", route="r",
            method="GET", path="/p", status=200,
        )  # fmt: skip
        csv = b"".join(_as(people.ada).get(reverse("audit-export")).streaming_content).decode()
        assert ",'=HYPERLINK(1),view," in csv
        assert ",=HYPERLINK" not in csv

    def test_it_is_for_clinic_admins_only(self, people: People) -> None:
        assert _as(people.alice).get(reverse("audit-log")).status_code == 403
        assert _as(people.alice).get(reverse("audit-export")).status_code == 403
