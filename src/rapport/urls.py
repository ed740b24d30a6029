"""URL map: staff pages, the client's feedback form, the API and the operators' admin."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from rapport.accounts import views as account_views
from rapport.analysis import views as analysis_views
from rapport.api.routes import api
from rapport.audit import views as audit_views
from rapport.consent import views as consent_views
from rapport.feedback import tablet
from rapport.feedback import views as feedback_views
from rapport.feedback.ratelimit import rate_limited
from rapport.plans import views as plan_views
from rapport.web.views import caseload, clients, sessions, staff, supervision

urlpatterns = [
    path("", caseload.caseload_view, name="caseload"),
    path("login/", account_views.StaffLoginView.as_view(), name="login"),
    path("login/code/", account_views.verify, name="two-factor-verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", account_views.two_factor, name="two-factor-setup"),
    path("password-reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        account_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("clients/new/", clients.client_new, name="client-new"),
    path("clients/<int:client_id>/", clients.client_detail, name="client-detail"),
    path("clients/<int:client_id>/measures/", clients.client_measures, name="client-measures"),
    path(
        "clients/<int:client_id>/risk/<int:response_id>/acknowledge/",
        clients.risk_acknowledge,
        name="risk-acknowledge",
    ),
    path("clients/<int:client_id>/consent/", consent_views.consent_page, name="client-consent"),
    path("clients/<int:client_id>/export/", consent_views.client_export, name="client-export"),
    path(
        "clients/<int:client_id>/anonymise/",
        consent_views.client_anonymise,
        name="client-anonymise",
    ),
    path("clients/<int:client_id>/plan/", plan_views.plan_page, name="plan"),
    path(
        "clients/<int:client_id>/plan/<slug:action>/",
        plan_views.plan_edit,
        name="plan-edit",
    ),
    path("clients/<int:client_id>/plan-versions/", plan_views.plan_versions, name="plan-versions"),
    path("clients/<int:client_id>/plan-print/", plan_views.plan_print, name="plan-print"),
    path("clients/<int:client_id>/sessions/new/", sessions.session_new, name="session-new"),
    path("sessions/<int:session_id>/", sessions.session_detail, name="session-detail"),
    path(
        "sessions/<int:session_id>/links/<str:purpose>/",
        sessions.issue_link,
        name="session-issue-link",
    ),
    path(
        "sessions/<int:session_id>/tablet/<str:purpose>/",
        tablet.start_tablet,
        name="session-tablet",
    ),
    path("sessions/<int:session_id>/rating/", sessions.rate_session, name="session-rate"),
    path(
        "sessions/<int:session_id>/transcript/",
        analysis_views.transcript_upload,
        name="session-transcript",
    ),
    path(
        "sessions/<int:session_id>/transcript/roles/",
        analysis_views.transcript_roles,
        name="session-transcript-roles",
    ),
    path(
        "sessions/<int:session_id>/transcript/<int:analysis_id>/",
        sessions.session_detail,
        name="session-transcript-analysis",
    ),
    path("tablet/unlock/", tablet.unlock, name="tablet-unlock"),
    path("clinic/staff/", staff.staff_list, name="staff-list"),
    path("clinic/supervision/", supervision.supervision, name="supervision"),
    path("clinic/audit/", audit_views.audit_log, name="audit-log"),
    path("clinic/audit.csv", audit_views.audit_export, name="audit-export"),
    path("clinic/staff/<int:user_id>/active/", staff.staff_toggle_active, name="staff-toggle"),
    path("clinic/staff/<int:user_id>/unlock/", staff.staff_unlock, name="staff-unlock"),
    path(
        "clinic/staff/<int:user_id>/two-factor-reset/",
        staff.staff_two_factor_reset,
        name="staff-two-factor-reset",
    ),
    path("clinic/two-factor/", staff.clinic_two_factor, name="clinic-two-factor"),
    path("f/<str:token>/", rate_limited(feedback_views.feedback_form), name="feedback-form"),
    path(
        "f/<str:token>/thanks/",
        rate_limited(feedback_views.feedback_thanks),
        name="feedback-thanks",
    ),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "rapport.web.views.errors.not_found"
handler500 = "rapport.web.views.errors.server_error"
