"""What claimants and uploaders type into the forms."""

import uuid


def claim_data(*urls: str, **overrides) -> dict:
    """What a claimant types into the form: every field filled in, both statements ticked."""
    data = {
        "submission": str(uuid.uuid4()),
        "claimant_name": "Ada Rights",
        "organisation": "Rights & Co",
        "email": "ada@rights.example",
        "postal_address": "1 Music Lane\nLondon",
        "phone": "",
        "capacity": "agent",
        "work_description": "“Original Tune” by Ada Rights, released 2019 on Rights Records.",
        "urls": "\n".join(urls),
        "good_faith": "on",
        "accurate_under_penalty": "on",
        "signature": "Ada Rights",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counter_data(**overrides) -> dict:
    data = {
        "statement": "I wrote and recorded this tune myself in 2018; it only shares a title.",
        "good_faith_mistake": "on",
        "consent_to_jurisdiction": "on",
        "postal_address": "2 Shed Road\nBristol",
        "signature": "Cat Copy",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
