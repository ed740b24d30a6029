"""How often password-reset links go out: per email address and per network address.

A reset form that sends on every request lets anyone flood a colleague's inbox, or send mail
in bulk through the clinic's server. Over a limit the form answers exactly as always (it must
not reveal whether an account uses the address) but sends nothing. Limits are per rolling
hour and counted in the database, so every worker process shares them.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rapport.accounts.models import ResetRequest

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=1)


def address_digest(email: str) -> str:
    """A keyed hash of the address as typed (case and surrounding spaces ignored)."""
    key_salt, value = "rapport.accounts.reset-address", email.strip().lower()
    return salted_hmac(key_salt, value, algorithm="sha256").hexdigest()


def may_send(request: HttpRequest, email: str) -> bool:
    """Whether a link may go out for ``email`` now; a yes is recorded, so it counts."""
    now = timezone.now()
    ResetRequest.objects.filter(created_at__lte=now - WINDOW).delete()
    recent = ResetRequest.objects.filter(created_at__gt=now - WINDOW)
    digest = address_digest(email)
    ip_address = get_client_ip_address(request)
    if recent.filter(address_digest=digest).count() >= settings.PASSWORD_RESET_PER_ADDRESS:
        logger.warning("Password reset not sent: hourly limit for one address reached")
        return False
    per_network = settings.PASSWORD_RESET_PER_NETWORK_ADDRESS
    if ip_address and recent.filter(ip_address=ip_address).count() >= per_network:
        logger.warning("Password reset not sent: hourly limit for %s reached", ip_address)
        return False
    ResetRequest.objects.create(address_digest=digest, ip_address=ip_address, created_at=now)
    return True
