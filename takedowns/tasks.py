from celery import shared_task


@shared_task(name="takedowns.send_email")
def send_email(*, claim_id: int, message: str, user_id: int | None = None, note: str = "") -> None:
    from backstage.models import User

    from . import emails
    from .models import CopyrightClaim

    claim = CopyrightClaim.objects.filter(id=claim_id).first()
    if claim is None:
        return
    user = User.objects.filter(id=user_id).first() if user_id else None
    if user_id and user is None:
        return  # the account is gone: nobody to write to
    emails.send(claim=claim, message=message, user=user, note=note)
