"""Columns recognised by their name or label: respondent ids, paradata, weights.

Names of the Qualtrics export (``StartDate``, ``Duration (in seconds)``,
``ResponseId``; in the legacy export, the label row's ``ResponseID``), of ODK
and KoboToolbox (``start``, ``end``, ``_uuid``, ``instanceID``) and common
panel exports. A weight is only ever a guess from its name or label (``weight``,
``wgt``, ``wt``, ``pspwght``), which the draft writes as a comment.

Example
-------
>>> meta_role("Duration (in seconds)"), meta_role("StartDate"), meta_role("Q1")
('duration', 'start_time', None)
>>> is_id_name("ResponseId"), is_id_name("_uuid"), is_id_name("Q1")
(True, True, False)
>>> is_weight_name("pspwght", None), is_weight_name("Q3", "Design weight")
(True, True)
"""

from __future__ import annotations

import re

__all__ = ["QUALTRICS_META", "is_id_name", "is_weight_name", "meta_role"]

_ROLES = [
    ("duration", r"duration|duration \(in seconds\)|duration_sec|durationsec|"
                 r"time_taken|completion_time|length_of_interview|loi|_duration"),
    ("start_time", r"startdate|start_date|start_time|starttime|start|started|started_at|"
                   r"submissiondate_start"),
    ("end_time", r"enddate|end_date|end_time|endtime|end|ended|completed_at|submitted_at"),
    ("status", r"status|_status|disposition"),
    ("device", r"device|device_type|devicetype"),
    ("os", r"os|operating_system"),
    ("fingerprint", r"device_fingerprint|fingerprint"),
]

#: other paradata of a Qualtrics export, kept as meta (role other)
QUALTRICS_META = frozenset(s.lower() for s in (
    "IPAddress", "Progress", "Finished", "RecordedDate", "RecipientLastName",
    "RecipientFirstName", "RecipientEmail", "ExternalReference", "ExternalDataReference",
    "LocationLatitude", "LocationLongitude", "LocationAccuracy", "DistributionChannel",
    "UserLanguage", "ResponseSet", "Name", "EmailAddress", "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate", "Q_RelevantIDFraudScore", "Q_TotalDuration", "_submission_time",
    "_submitted_by", "_index", "_id", "_version_", "_validation_status", "_notes", "_tags",
    "deviceid", "subscriberid", "simserial", "phonenumber", "today", "username", "audit"))

_ID = re.compile(r"^(respondent_?id|resp_?id|response_?id|responseid|record_?id|case_?id|"
                 r"caseid|idno|id|_uuid|uuid|instanceid|meta[/_\-]instanceid|key|serial|"
                 r"interview_?id|participant_?id|pid)$", re.I)
_WEIGHT = re.compile(r"(^|[^a-z])(weight|weights|wgt|wght|wt|pspwght|dweight|pweight|"
                     r"anweight|poids|gewicht)([^a-z]|$)|wght$|weight$", re.I)


def meta_role(name: str) -> str | None:
    """The meta role a column's name suggests, or None."""
    n = name.strip().lower()
    for role, pattern in _ROLES:
        if re.fullmatch(pattern, n):
            return role
    return "other" if n in QUALTRICS_META else None


def is_id_name(name: str) -> bool:
    """A name respondent ids go by."""
    return bool(_ID.match(name.strip()))


def is_weight_name(name: str, label: str | None) -> bool:
    """A name or label that says "weight"."""
    return bool(_WEIGHT.search(name) or (label and _WEIGHT.search(label)))
