"""The erasure record is about an erasure, not a person (see core/privacy.py); a reason is
refused when it repeats the person's data, and is free text like any other."""

from core.privacy import register

from .models import ErasureRecord

register(ErasureRecord, text=("reason",))
