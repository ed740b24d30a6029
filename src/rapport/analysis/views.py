"""Uploading a session's transcript, and saying who each speaker is when that is unclear.

Only the session's own therapist gets here (``get_session_for_user``: a 404 for anyone else),
only with the client's current consent to transcript analysis, and every request is recorded
by the audit middleware (the routes name the session). A file that cannot be read is refused
with its problem and line; nothing is stored until the analysis is complete.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from rapport.analysis import services
from rapport.analysis.forms import RolesForm, UploadForm
from rapport.analysis.models import PENDING_LIFETIME, PendingTranscript
from rapport.analysis.page import consent_problem
from rapport.care.models import TherapySession
from rapport.core.transcripts import TranscriptError, UnknownRoles
from rapport.web.access import get_session_for_user, staff_user

SECTION = "#transcript-analysis"


def _session_page(session: TherapySession) -> str:
    return reverse("session-detail", args=[session.pk]) + SECTION


# A web upload is analysed while the request waits, and a worker has 30 s: 2 MB (about 350,000
# words, many hours of talk) is analysed in a few seconds. `rapport analyze` takes files up to
# the library's MAX_BYTES.
UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def _read(file: UploadedFile) -> services.Upload:
    """The upload's bytes, refused by size before they are read into memory.

    Django streams an upload over ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) to a temporary file,
    so a huge upload reaches this check on disk, not in memory.
    """
    name = file.name or "transcript"
    if file.size is not None and file.size > UPLOAD_MAX_BYTES:
        raise TranscriptError(
            f"{name}: the file is {file.size:,} bytes; the limit is {UPLOAD_MAX_BYTES:,} bytes "
            "(a long session's transcript is well under 1 MB)."
        )
    return services.read_upload(file.read(), name)


def _roles_page(
    request: HttpRequest,
    session: TherapySession,
    pending: PendingTranscript,
    form: RolesForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "session": session,
        "client": session.episode.client,
        "pending": pending,
        "form": form,
        "minutes": int(PENDING_LIFETIME.total_seconds() // 60),
    }
    return render(request, "analysis/roles.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def transcript_upload(request: HttpRequest, session_id: int) -> HttpResponse:
    """The upload form; a POST analyses the file, or asks for roles when speakers are unclear."""
    session = get_session_for_user(request, session_id)
    user = staff_user(request)
    refused = consent_problem(session)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    status = 200
    if request.method == "POST":
        if refused is not None:
            status = 403  # nothing is parsed or kept: the client has not agreed to this
        elif form.is_valid():
            try:
                upload = _read(form.cleaned_data["transcript"])
                conversation = services.parse_upload(upload)
            except UnknownRoles as unknown:
                pending = services.hold_pending(session, user, upload)
                roles = RolesForm(unknown.speakers, unknown.detected)
                return _roles_page(request, session, pending, roles)
            except TranscriptError as exc:
                form.add_error("transcript", str(exc))
                status = 400
            else:
                labelling = services.default_labelling()
                services.store_analysis(session, user, upload, conversation, labelling)
                messages.success(request, "The transcript was analysed; the file was not kept.")
                return redirect(_session_page(session))
        else:
            status = 400
    context = {
        "session": session,
        "client": session.episode.client,
        "form": form,
        "consent_problem": refused,
        "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "analysis/upload.html", context, status=status)


@login_required
@require_POST
def transcript_roles(request: HttpRequest, session_id: int) -> HttpResponse:
    """The second step: the therapist's answer to who each speaker is (or discarding)."""
    session = get_session_for_user(request, session_id)
    user = staff_user(request)
    upload_page = reverse("session-transcript", args=[session.pk])
    try:
        pending = services.pending_for(session, user, request.POST.get("pending", ""))
    except TranscriptError as exc:
        messages.error(request, str(exc))
        return redirect(upload_page)
    if request.POST.get("discard"):
        pending.delete()
        messages.success(request, "The upload was discarded; nothing was kept.")
        return redirect(_session_page(session))
    refused = consent_problem(session)
    if refused is not None:  # withdrawn since the upload: the held text goes too
        pending.delete()
        messages.error(request, f"{refused} The upload was discarded.")
        return redirect(upload_page)
    unknown = services.speakers_of(pending)
    form = RolesForm(unknown.speakers, unknown.detected, request.POST)
    if not form.is_valid():
        return _roles_page(request, session, pending, form, status=400)
    try:
        services.analyse_pending(pending, user, form.roles(), services.default_labelling())
    except TranscriptError as exc:
        form.add_error(None, str(exc))
        return _roles_page(request, session, pending, form, status=400)
    messages.success(request, "The transcript was analysed; the file was not kept.")
    return redirect(_session_page(session))
