"""One SupporterAllocation row per (fan, month, currency) replaces one SupporterShare row per
(fan, month, artist): the months already distributed are copied over, then the old table goes."""

from collections import defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import payments.supporter_models


def copy_shares(apps, schema_editor):
    share_model = apps.get_model("payments", "SupporterShare")
    allocation_model = apps.get_model("payments", "SupporterAllocation")
    fans = defaultdict(list)  # (fan, month, currency) → [(artist, amount, plays)]
    shares = share_model.objects.order_by("fan_id", "month", "currency", "artist_id")
    for share in shares.iterator(chunk_size=10_000):
        key = (share.fan_id, share.month, share.currency)
        fans[key].append((share.artist_id, share.amount, share.plays))
    allocation_model.objects.bulk_create(
        (
            allocation_model(
                fan_id=fan_id,
                month=month,
                currency=currency,
                pool=sum(amount for _, amount, _ in parts),
                fallback=not any(plays for _, _, plays in parts),
                artist_ids=[artist_id for artist_id, _, _ in parts],
                amounts=[amount for _, amount, _ in parts],
                plays=[plays for _, _, plays in parts],
            )
            for (fan_id, month, currency), parts in fans.items()
        ),
        batch_size=2_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_supporters"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SupporterAllocation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                ("currency", models.CharField(max_length=3)),
                (
                    "pool",
                    models.PositiveIntegerField(
                        help_text="The fan's pool money: the amounts' sum."
                    ),
                ),
                (
                    "fallback",
                    models.BooleanField(
                        default=False,
                        help_text="The fan played nobody: shared by the published fallback.",
                    ),
                ),
                (
                    "artist_ids",
                    payments.supporter_models.IntegerListField(
                        help_text="The artists given money, as ids."
                    ),
                ),
                (
                    "amounts",
                    payments.supporter_models.IntegerListField(
                        help_text="Minor units given to each, in the same order."
                    ),
                ),
                (
                    "plays",
                    payments.supporter_models.IntegerListField(
                        help_text="Each one's capped counted plays (0 by the fallback)."
                    ),
                ),
                (
                    "fan",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="supporter_allocations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("fan", "month", "currency"), name="supporter_allocation_once"
                    )
                ],
            },
        ),
        migrations.RunPython(copy_shares, migrations.RunPython.noop),
        migrations.DeleteModel(name="SupporterShare"),
    ]
