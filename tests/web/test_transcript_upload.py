"""Transcript upload on the web: consent first, roles asked when unclear, only the analysis kept.

Every transcript here is project-written and fictional.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import timedelta
from types import ModuleType, SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.analysis import services
from rapport.analysis.models import PENDING_LIFETIME, PendingTranscript, TranscriptAnalysis
from rapport.analysis.page import transcript_section
from rapport.analysis.views import UPLOAD_MAX_BYTES
from rapport.audit.models import AuditEvent
from rapport.care.models import TherapySession
from rapport.consent.models import Method, Purpose
from rapport.consent.rights import export_client
from rapport.consent.services import record_consent
from rapport.core.transcripts import Conversation
from rapport.core.transcripts.labels import Behaviour, TalkType, UtteranceLabels
from tests.conftest import People
from tests.factory import checkin

TEXT = (
    "T: How has the week been since we last met?\n"
    "C: Honestly it was a hard week, I kept putting off calling my brother.\n"
    "T: Something about that call feels heavy.\n"
    "C: Yes. I worry he will be angry that I waited so long.\n"
)
VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:04.000\n<v Sam Okafor>What would you like to focus on today?\n\n"
    "00:00:04.500 --> 00:00:09.000\n<v Robin Hale>Sleep, mostly. I lie awake going over work.\n\n"
    "00:00:09.500 --> 00:00:12.000\n<v Sam Okafor>Work follows you to bed.\n\n"
    "00:00:12.500 --> 00:00:15.000\n<v Robin Hale>Every night, and I am tired of it.\n"
)


def _browser(user: User) -> Browser:
    browser = Browser()
    browser.force_login(user)
    return browser


def _consent(people: People, granted: bool = True) -> None:
    record_consent(people.dana, Purpose.TRANSCRIPTS, granted, Method.WRITTEN, people.alice)


def _file(name: str, body: str | bytes) -> SimpleUploadedFile:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def session(people: People) -> TherapySession:
    return people.factory.make_session(people.dana)


@pytest.fixture(autouse=True)
def _no_trained_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide whether a model exists; a model trained on this machine must not leak in."""
    monkeypatch.setattr(services, "default_labelling", lambda: services.Labelling(None, None))


def _upload(browser: Browser, session: TherapySession, name: str, body: str | bytes) -> object:
    return browser.post(
        reverse("session-transcript", args=[session.pk]), {"transcript": _file(name, body)}
    )


class TestUpload:
    def test_it_analyses_a_transcript_and_shows_it_on_the_session_page(
        self, people: People, session: TherapySession
    ) -> None:
        """A T:/C: transcript is analysed at once; the session page shows its talk balance."""
        _consent(people)
        browser = _browser(people.alice)
        page = _upload(browser, session, "week-3.txt", TEXT)
        assert page.status_code == 302  # type: ignore[attr-defined]
        assert page.url.endswith(f"/sessions/{session.pk}/#transcript-analysis")  # type: ignore[attr-defined]
        analysis = TranscriptAnalysis.objects.get()
        assert (analysis.session, analysis.uploaded_by) == (session, people.alice)
        assert analysis.original_name == "week-3.txt"
        assert analysis.detected_format == "text"
        assert analysis.utterances == 4
        words = analysis.report["talk_balance"]["total_words"]
        assert analysis.words == words > 30
        assert analysis.labels_from == "none"
        assert analysis.model_info is None
        assert len(analysis.sha256) == 64
        shown = browser.get(reverse("session-detail", args=[session.pk])).text
        assert 'id="transcript-analysis"' in shown
        assert "week-3.txt" in shown
        client_words = analysis.report["talk_balance"]["by_role"]["client"]["words"]
        assert f">{client_words}<" in shown  # the talk balance table
        assert "No trained utterance model" in shown
        assert not PendingTranscript.objects.exists()

    def test_it_stores_the_report_and_file_name_encrypted(
        self, people: People, session: TherapySession
    ) -> None:
        """Neither the client's words nor the file name are readable in the database."""
        _consent(people)
        _upload(_browser(people.alice), session, "robin-hale.txt", TEXT)
        with connection.cursor() as cursor:
            cursor.execute("SELECT report, original_name FROM analysis_transcriptanalysis")
            report, name = cursor.fetchone()
        assert "brother" not in report
        assert "robin" not in name.lower()
        assert (
            TranscriptAnalysis.objects.get().report["utterances"][1]["text"].endswith("my brother.")
        )

    @pytest.mark.parametrize("granted", [None, False])
    def test_it_refuses_without_current_consent(
        self, people: People, session: TherapySession, granted: bool | None
    ) -> None:
        """Never asked or withdrawn: 403, a link to the consent page, nothing stored."""
        if granted is not None:
            _consent(people, True)
            _consent(people, granted)
        browser = _browser(people.alice)
        page = _upload(browser, session, "week.txt", TEXT)
        assert page.status_code == 403  # type: ignore[attr-defined]
        text = page.content.decode()  # type: ignore[attr-defined]
        assert "has not consented to analysis of session transcripts" in text
        assert reverse("client-consent", args=[people.dana.pk]) in text
        assert 'type="file"' not in text
        assert not TranscriptAnalysis.objects.exists()
        assert not PendingTranscript.objects.exists()
        form = browser.get(reverse("session-transcript", args=[session.pk])).text
        assert 'type="file"' not in form  # the form is not offered at all

    def test_it_offers_the_form_and_says_what_is_kept(
        self, people: People, session: TherapySession
    ) -> None:
        """The form accepts the formats and says only the analysis and evidence lines stay."""
        _consent(people)
        page = _browser(people.alice).get(reverse("session-transcript", args=[session.pk])).text
        assert 'type="file"' in page
        assert 'enctype="multipart/form-data"' in page
        for suffix in (".txt", ".csv", ".tsv", ".vtt", ".srt", ".json"):
            assert suffix in page
        assert "<strong>What is kept:</strong>" in page

    @pytest.mark.parametrize(
        ("name", "body", "message"),
        [
            ("empty.txt", b"  \n\n", "empty.txt: the file is empty."),
            ("latin1.txt", b"T: hello\nC: caf\xe9\n", "byte 15 (line 2) is not valid UTF-8"),
            ("alone.txt", b"C: hello\nC: anyone?\n", "only one speaker"),
            ("notes.txt", b"Some notes first\nT: hi\nC: hello\n", "line 1: text before any"),
            ("cues.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", "cue 1: no speaker"),
            ("bad.srt", b"1\n00:00:01,000 --> 00:00:99,000\nT: hi\n", "cue 1: malformed"),
            ("chat.json", b'[{"sender": "T"}]', "message 1: needs a"),
            ("rows.csv", b"speaker,text\nT,hi\nC\n", "line 3: 1 fields where"),
        ],
    )
    def test_it_names_the_problem_of_a_bad_file_and_keeps_nothing(
        self, people: People, session: TherapySession, name: str, body: bytes, message: str
    ) -> None:
        """A bad file is a 400 with the parser's message (problem and line); nothing stored."""
        _consent(people)
        page = _upload(_browser(people.alice), session, name, body)
        assert page.status_code == 400  # type: ignore[attr-defined]
        assert message in page.content.decode()  # type: ignore[attr-defined]
        assert not TranscriptAnalysis.objects.exists()
        assert not PendingTranscript.objects.exists()

    def test_it_refuses_a_file_over_the_limit_before_reading_it(
        self, people: People, session: TherapySession, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The size is checked on the upload itself, with a message naming the limit."""
        _consent(people)
        from rapport.analysis import views  # noqa: PLC0415

        monkeypatch.setattr(views, "UPLOAD_MAX_BYTES", 100)
        page = _upload(_browser(people.alice), session, "long.txt", TEXT)
        assert page.status_code == 400  # type: ignore[attr-defined]
        assert "the limit is 100 bytes" in page.content.decode()  # type: ignore[attr-defined]
        assert not TranscriptAnalysis.objects.exists()

    def test_it_refuses_a_real_upload_over_the_limit(
        self, people: People, session: TherapySession
    ) -> None:
        """A file over the upload limit (streamed to disk by Django) is refused with a 400."""
        _consent(people)
        body = b"T: " + b"word " * (UPLOAD_MAX_BYTES // 5)
        assert len(body) > UPLOAD_MAX_BYTES
        page = _upload(_browser(people.alice), session, "huge.txt", body)
        assert page.status_code == 400  # type: ignore[attr-defined]
        text = page.content.decode()  # type: ignore[attr-defined]
        limit = f"the limit is {UPLOAD_MAX_BYTES:,}"
        assert f"huge.txt: the file is {len(body):,} bytes; {limit}" in text
        assert "well under 1 MB" in text  # the view's check on the upload, before reading it
        assert not TranscriptAnalysis.objects.exists()
        assert not PendingTranscript.objects.exists()

    def test_it_asks_for_a_file(self, people: People, session: TherapySession) -> None:
        """Posting without a file is a 400 that says to choose one."""
        _consent(people)
        page = _browser(people.alice).post(reverse("session-transcript", args=[session.pk]))
        assert page.status_code == 400
        assert "Choose a transcript file to upload." in page.text


class TestRoles:
    def _held(self, people: People, session: TherapySession, body: str = VTT) -> PendingTranscript:
        _consent(people)
        page = _upload(_browser(people.alice), session, "session.vtt", body)
        assert page.status_code == 200  # type: ignore[attr-defined]
        return PendingTranscript.objects.get()

    def _answer(
        self, people: People, session: TherapySession, pending: PendingTranscript, **roles: str
    ) -> object:
        return _browser(people.alice).post(
            reverse("session-transcript-roles", args=[session.pk]),
            {"pending": pending.pk, **roles},
        )

    def test_it_asks_who_each_named_speaker_is(
        self, people: People, session: TherapySession
    ) -> None:
        """Named voices bring up a select per speaker; the text waits encrypted, for an hour."""
        _consent(people)
        page = _upload(_browser(people.alice), session, "session.vtt", VTT)
        text = page.content.decode()  # type: ignore[attr-defined]
        assert "Who is speaking?" in text
        assert '<label for="id_role-0">Sam Okafor</label>' in text
        assert '<label for="id_role-1">Robin Hale</label>' in text
        pending = PendingTranscript.objects.get()
        assert pending.owner == people.alice
        assert pending.expires_at - pending.created_at == PENDING_LIFETIME
        with connection.cursor() as cursor:
            cursor.execute("SELECT text FROM analysis_pendingtranscript")
            (stored,) = cursor.fetchone()
        assert "Sleep" not in stored
        assert not TranscriptAnalysis.objects.exists()

    def test_it_preselects_the_roles_it_recognised(
        self, people: People, session: TherapySession
    ) -> None:
        """T and C are chosen already; only the unknown third speaker is left to answer."""
        _consent(people)
        body = "T: How was it?\nC: Busy.\nMum: She has been much calmer.\n"
        page = _upload(_browser(people.alice), session, "family.txt", body)
        text = page.content.decode()  # type: ignore[attr-defined]
        assert '<option value="therapist" selected>' in text
        assert '<option value="client" selected>' in text
        assert text.count("selected>") == 3  # T, C, and "Choose…" for Mum

    def test_it_analyses_with_the_given_roles_and_drops_the_held_text(
        self, people: People, session: TherapySession
    ) -> None:
        """The answer parses the file with those roles, stores the analysis, deletes the hold."""
        pending = self._held(people, session)
        page = self._answer(people, session, pending, **{"role-0": "therapist", "role-1": "client"})
        assert page.status_code == 302  # type: ignore[attr-defined]
        analysis = TranscriptAnalysis.objects.get()
        roles = {u["speaker"]: u["role"] for u in analysis.report["utterances"]}
        assert roles == {"Sam Okafor": "therapist", "Robin Hale": "client"}
        assert analysis.detected_format == "webvtt"
        assert analysis.original_name == "session.vtt"
        assert not PendingTranscript.objects.exists()

    def test_it_needs_a_therapist_and_a_client(
        self, people: People, session: TherapySession
    ) -> None:
        """Two clients, or a missing answer, is a 400 naming what to fix; the hold stays."""
        pending = self._held(people, session)
        both = self._answer(people, session, pending, **{"role-0": "client", "role-1": "client"})
        assert both.status_code == 400  # type: ignore[attr-defined]
        assert "at least one therapist and one client" in both.content.decode()  # type: ignore[attr-defined]
        missing = self._answer(people, session, pending, **{"role-0": "therapist"})
        assert missing.status_code == 400  # type: ignore[attr-defined]
        assert "Choose a role for Robin Hale." in missing.content.decode()  # type: ignore[attr-defined]
        assert not TranscriptAnalysis.objects.exists()
        assert PendingTranscript.objects.count() == 1

    def test_it_refuses_an_expired_upload(self, people: People, session: TherapySession) -> None:
        """After an hour the held text is gone and the answer asks for the file again."""
        pending = self._held(people, session)
        # Expired by its own clock (travelling an hour would also end Alice's idle sign-in).
        PendingTranscript.objects.filter(pk=pending.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        browser = _browser(people.alice)
        url = reverse("session-transcript-roles", args=[session.pk])
        page = browser.post(url, {"pending": pending.pk, "role-0": "therapist", "role-1": "client"})
        assert page.status_code == 302
        assert page.url == reverse("session-transcript", args=[session.pk])  # type: ignore[attr-defined]
        follow = browser.get(page.url)  # type: ignore[attr-defined]
        assert "Please upload the file again." in follow.text
        assert not PendingTranscript.objects.exists()
        assert not TranscriptAnalysis.objects.exists()

    def test_it_lets_only_the_uploader_answer(
        self, people: People, session: TherapySession
    ) -> None:
        """Another user's held upload is unknown even with the session id right."""
        pending = self._held(people, session)
        pending.owner = people.bob
        pending.save()
        page = self._answer(people, session, pending, **{"role-0": "therapist", "role-1": "client"})
        assert page.status_code == 302  # type: ignore[attr-defined]
        assert page.url == reverse("session-transcript", args=[session.pk])  # type: ignore[attr-defined]
        assert not TranscriptAnalysis.objects.exists()
        assert PendingTranscript.objects.count() == 1

    def test_it_discards_on_request(self, people: People, session: TherapySession) -> None:
        """Discarding deletes the held text and stores nothing."""
        pending = self._held(people, session)
        page = self._answer(people, session, pending, discard="1")
        assert page.status_code == 302  # type: ignore[attr-defined]
        assert not PendingTranscript.objects.exists()
        assert not TranscriptAnalysis.objects.exists()

    def test_it_drops_the_upload_when_consent_is_withdrawn_meanwhile(
        self, people: People, session: TherapySession
    ) -> None:
        """Consent is checked again at the answer; a withdrawal discards the held text."""
        pending = self._held(people, session)
        _consent(people, False)
        page = self._answer(people, session, pending, **{"role-0": "therapist", "role-1": "client"})
        assert page.status_code == 302  # type: ignore[attr-defined]
        assert page.url == reverse("session-transcript", args=[session.pk])  # type: ignore[attr-defined]
        assert not PendingTranscript.objects.exists()
        assert not TranscriptAnalysis.objects.exists()


class TestModel:
    def test_it_labels_utterances_with_a_trained_model_when_there_is_one(
        self, people: People, session: TherapySession, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The installed classifier's labels and identity are stored with the analysis."""

        def predict(conversation: Conversation) -> Sequence[UtteranceLabels]:
            return [
                UtteranceLabels(u.index, behaviour=Behaviour.QUESTION, confidence=0.9)
                if u.role.value == "therapist"
                else UtteranceLabels(u.index, talk_type=TalkType.CHANGE, confidence=0.8)
                for u in conversation
            ]

        monkeypatch.setattr(
            services, "default_labelling", lambda: services.Labelling(predict, {"class": "Fake"})
        )
        _consent(people)
        _upload(_browser(people.alice), session, "week.txt", TEXT)
        analysis = TranscriptAnalysis.objects.get()
        assert analysis.labels_from == "model"
        assert analysis.model_info == {"class": "Fake"}
        assert [u.get("behaviour") for u in analysis.report["utterances"]][::2] == [
            "question",
            "question",
        ]
        page = _browser(people.alice).get(reverse("session-detail", args=[session.pk])).text
        assert "No trained utterance model" not in page
        assert "predicted by a trained model" in page


class TestDefaultLabelling:
    """Whether the classifier module, or a trained model, exists decides the labeller."""

    def _module(self, monkeypatch: pytest.MonkeyPatch, loader: object) -> None:
        module = ModuleType("rapport.core.transcripts.classifiers")
        module.load_default_classifier = loader  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "rapport.core.transcripts.classifiers", module)

    def test_it_uses_no_labels_without_a_trained_model(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """load_default_classifier() returning None means lexical markers only."""
        self._module(monkeypatch, lambda: None)
        assert _real_default_labelling() == services.Labelling(None, None)

    def test_it_survives_an_unreadable_model(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A model that fails its checks (ValueError) is logged and ignored, not a 500."""

        def broken() -> None:
            raise ValueError("checksum mismatch")

        self._module(monkeypatch, broken)
        assert _real_default_labelling() == services.Labelling(None, None)

    def test_it_uses_the_models_predict_and_manifest(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A trained model labels through predict; its manifest's plain values identify it."""
        model = SimpleNamespace(
            predict=lambda c: (), manifest={"sklearn": "1.9.1", "scores": {"f1": 0.8}}
        )
        self._module(monkeypatch, lambda: model)
        labelling = _real_default_labelling()
        assert labelling.labeller is model.predict
        assert labelling.model_info == {"class": "SimpleNamespace", "sklearn": "1.9.1"}


def _real_default_labelling() -> services.Labelling:
    """services.default_labelling as written (the autouse fixture replaces the attribute)."""
    return _ORIGINAL_DEFAULT_LABELLING()


_ORIGINAL_DEFAULT_LABELLING = services.default_labelling


class TestSessionPage:
    def test_it_shows_the_latest_and_lists_earlier_uploads(
        self, people: People, session: TherapySession
    ) -> None:
        """Two uploads: the page shows the newer; the older opens at its own address."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "first.txt", TEXT)
        _upload(browser, session, "second.txt", TEXT + "T: Shall we start there?\n")
        first, _second = TranscriptAnalysis.objects.order_by("pk")
        page = browser.get(reverse("session-detail", args=[session.pk])).text
        assert "Latest upload" in page
        assert "<strong>second.txt</strong>" in page
        earlier = reverse("session-transcript-analysis", args=[session.pk, first.pk])
        assert earlier in page
        old = browser.get(earlier).text
        assert "An earlier upload" in old
        assert "<strong>first.txt</strong>" in old
        assert "Show the latest upload" in old

    def test_it_reads_only_the_shown_report(self, people: People, session: TherapySession) -> None:
        """Earlier uploads are listed by name and date; their reports are not decrypted."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "first.txt", TEXT)
        _upload(browser, session, "second.txt", TEXT + "T: Shall we start there?\n")
        section = transcript_section(session)
        (earlier,) = section["others"]
        assert earlier.original_name == "first.txt"
        assert "report" in earlier.get_deferred_fields()
        assert section["report"] == TranscriptAnalysis.objects.get(pk=section["shown"].pk).report

    def test_it_finds_no_analysis_of_another_session(
        self, people: People, session: TherapySession
    ) -> None:
        """An analysis id belongs to its session: under another session's URL it is a 404."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "first.txt", TEXT)
        other = people.factory.make_session(people.dana)
        url = reverse(
            "session-transcript-analysis", args=[other.pk, TranscriptAnalysis.objects.get().pk]
        )
        assert browser.get(url).status_code == 404

    def test_it_puts_the_analysis_beside_the_clients_ratings(
        self, people: People, session: TherapySession
    ) -> None:
        """The client's scores and the analysis share one two-column container."""
        _consent(people)
        people.factory.make_response(session, "checkin", checkin(8, 7, 9, 8, 6))
        browser = _browser(people.alice)
        _upload(browser, session, "week.txt", TEXT)
        page = browser.get(reverse("session-detail", args=[session.pk])).text
        views = page[page.index('<div class="session-views">') :]
        assert views.index('id="scores-heading"') < views.index('id="transcript-analysis"')
        assert "rapport/session-analysis.css" in page

    def test_it_keeps_the_page_free_of_inline_script_and_style(
        self, people: People, session: TherapySession
    ) -> None:
        """The CSP allows no inline script or style: data goes through json_script only."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "week.txt", TEXT)
        page = browser.get(reverse("session-detail", args=[session.pk])).text
        assert " style=" not in page
        assert "<style" not in page
        for chunk in page.split("<script")[1:]:
            tag = chunk.split(">", 1)[0]
            assert " src=" in tag or 'type="application/json"' in tag, tag

    def test_it_offers_consent_instead_of_upload_without_consent(
        self, people: People, session: TherapySession
    ) -> None:
        """Without consent the section links to the consent page and offers no upload."""
        page = _browser(people.alice).get(reverse("session-detail", args=[session.pk])).text
        assert "has not consented to analysis of session transcripts" in page
        assert reverse("session-transcript", args=[session.pk]) not in page


class TestAudit:
    def test_it_records_upload_roles_and_views(
        self, people: People, session: TherapySession
    ) -> None:
        """Each step names the client in the audit trail, with what it did."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "session.vtt", VTT)
        pending = PendingTranscript.objects.get()
        browser.post(
            reverse("session-transcript-roles", args=[session.pk]),
            {"pending": pending.pk, "role-0": "therapist", "role-1": "client"},
        )
        browser.get(reverse("session-detail", args=[session.pk]))
        analysis = TranscriptAnalysis.objects.get()
        browser.get(reverse("session-transcript-analysis", args=[session.pk, analysis.pk]))
        events = AuditEvent.objects.filter(client_id=people.dana.pk).order_by("pk")
        assert [(e.route, e.action, e.status) for e in events] == [
            ("session-transcript", "change", 200),
            ("session-transcript-roles", "change", 302),
            ("session-detail", "view", 200),
            ("session-transcript-analysis", "view", 200),
        ]
        assert {e.user for e in events} == {people.alice}


class TestRights:
    def test_it_exports_the_analyses_decrypted(
        self, people: People, session: TherapySession
    ) -> None:
        """The client's export holds each analysis, report included, and the page mentions it."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "week.txt", TEXT)
        data = export_client(people.dana)
        (exported,) = data["episodes"][0]["sessions"][0]["transcript_analyses"]
        assert exported["file_name"] == "week.txt"
        assert exported["report"] == TranscriptAnalysis.objects.get().report
        assert "brother" in json.dumps(exported["report"])
        page = browser.get(reverse("client-export", args=[people.dana.pk])).text
        assert "Transcript analysis of week.txt" in page

    def test_it_deletes_analyses_and_held_uploads_on_anonymisation(
        self, people: People, session: TherapySession
    ) -> None:
        """Erasure removes every analysis and held upload of the client, and no one else's."""
        _consent(people)
        browser = _browser(people.alice)
        _upload(browser, session, "week.txt", TEXT)
        _upload(browser, session, "named.vtt", VTT)
        record_consent(people.eli, Purpose.TRANSCRIPTS, True, Method.WRITTEN, people.bob)
        elis = people.factory.make_session(people.eli)
        _upload(_browser(people.bob), elis, "eli.txt", TEXT)
        assert PendingTranscript.objects.count() == 1
        browser.post(reverse("client-anonymise", args=[people.dana.pk]), {"confirm": "Dana R."})
        assert not PendingTranscript.objects.exists()
        assert list(TranscriptAnalysis.objects.values_list("session", flat=True)) == [elis.pk]


class TestAdmin:
    def test_it_shows_operators_no_report_contents(
        self, people: People, session: TherapySession
    ) -> None:
        """The admin lists analyses read-only, without the words or the file name."""
        _consent(people)
        _upload(_browser(people.alice), session, "robin-hale.txt", TEXT)
        operator = User.objects.create_superuser("op", password="x" * 16)
        browser = _browser(operator)
        analysis = TranscriptAnalysis.objects.get()
        listing = browser.get(reverse("admin:analysis_transcriptanalysis_changelist"))
        detail = browser.get(
            reverse("admin:analysis_transcriptanalysis_change", args=[analysis.pk])
        )
        for page in (listing, detail):
            assert page.status_code == 200
            assert "brother" not in page.text
            assert "robin-hale" not in page.text
        assert "Save" not in detail.text
        add = browser.get(reverse("admin:analysis_transcriptanalysis_add"))
        assert add.status_code == 403
