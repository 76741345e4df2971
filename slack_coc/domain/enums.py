"""Vocabulary of the process (docs/process.md)."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    SHEPHERDED = "shepherded"
    DISCUSSED = "discussed"
    ESCALATED = "escalated"  # with the board after a deadlock
    DECIDED = "decided"
    ACTIONS_ONGOING = "actions_ongoing"
    RESOLVED = "resolved"
    RECONSIDERATION = "reconsideration"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self is not CaseState.RESOLVED


_STATE_LABELS = {
    CaseState.RECEIVED: "Received",
    CaseState.ACKNOWLEDGED: "Acknowledged",
    CaseState.SHEPHERDED: "Shepherded",
    CaseState.DISCUSSED: "In discussion",
    CaseState.ESCALATED: "With the board",
    CaseState.DECIDED: "Decided",
    CaseState.ACTIONS_ONGOING: "Actions ongoing",
    CaseState.RESOLVED: "Resolved",
    CaseState.RECONSIDERATION: "Under reconsideration",
}


class Trigger(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    KEEP_ON_FILE = "keep_on_file"
    ASSIGN_SHEPHERD = "assign_shepherd"
    CHANGE_SHEPHERD = "change_shepherd"
    START_DISCUSSION = "start_discussion"
    DECIDE = "decide"
    ESCALATE_TO_BOARD = "escalate_to_board"
    BOARD_DECIDE = "board_decide"
    RECORD_FEEDBACK = "record_feedback"
    START_ACTIONS = "start_actions"
    RECORD_ACTIONS = "record_actions"
    RESOLVE = "resolve"
    REQUEST_RECONSIDERATION = "request_reconsideration"
    CONCLUDE_RECONSIDERATION = "conclude_reconsideration"
    REOPEN = "reopen"

    @property
    def verb(self) -> str:
        """Button label: always starts with the verb."""
        return _TRIGGER_VERBS[self]


_TRIGGER_VERBS = {
    Trigger.ACKNOWLEDGE: "Acknowledge",
    Trigger.KEEP_ON_FILE: "Keep on file (handled locally)",
    Trigger.ASSIGN_SHEPHERD: "Take as shepherd",
    Trigger.CHANGE_SHEPHERD: "Change shepherd",
    Trigger.START_DISCUSSION: "Start discussion",
    Trigger.DECIDE: "Record decision",
    Trigger.ESCALATE_TO_BOARD: "Escalate to board",
    Trigger.BOARD_DECIDE: "Record board decision",
    Trigger.RECORD_FEEDBACK: "Record reporter feedback",
    Trigger.START_ACTIONS: "Start carrying out actions",
    Trigger.RECORD_ACTIONS: "Record actions",
    Trigger.RESOLVE: "Resolve",
    Trigger.REQUEST_RECONSIDERATION: "Request reconsideration",
    Trigger.CONCLUDE_RECONSIDERATION: "Conclude reconsideration",
    Trigger.REOPEN: "Reopen with new information",
}


class CaseSource(StrEnum):
    EMAIL = "email"
    SLACK = "slack"
    IN_PERSON = "in_person"
    LOCAL_REPRESENTATIVES = "local_representatives"


class PartyRole(StrEnum):
    REPORTER = "reporter"
    REPORTED = "reported"
    WITNESS = "witness"
    OTHER_AFFECTED = "other_affected"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class RecusalReason(StrEnum):
    INVOLVED = "involved"
    PERSONAL_RELATIONSHIP = "personal_relationship"
    SAME_EMPLOYER = "same_employer"
    PRIVATE_INFORMATION = "private_information"
    CONCERNED = "concerned"  # the report concerns this member
    CHAIRS_ONLY = "chairs_only"  # the reporter asked that only the chairs see it
    OTHER = "other"


class ResolutionSource(StrEnum):
    WG = "WG"
    BOARD = "Board"
    LOCAL = "Local"
    NONE = "None"


class Outcome(StrEnum):
    """The enforcement ladder and the other outcomes (docs/process.md "Decisions")."""

    WARNING = "warning"
    SUSPENSION_SHORT = "suspension_short"
    SUSPENSION_EXTENDED = "suspension_extended"
    PERMANENT_BAN = "permanent_ban"
    NOT_A_VIOLATION = "not_a_violation"
    OUT_OF_SCOPE = "out_of_scope"
    NO_ACTION = "no_action"
    NO_IDENTIFIABLE_PERSON = "no_identifiable_person"
    FACILITATED_COMMUNICATION = "facilitated_communication"
    REFERRAL = "referral"
    OTHER = "other"

    @property
    def severity(self) -> int:
        """Position on the ladder; higher is more severe. Non-ladder outcomes are 0."""
        return _SEVERITY.get(self, 0)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_SEVERITY = {
    Outcome.WARNING: 1,
    Outcome.SUSPENSION_SHORT: 2,
    Outcome.SUSPENSION_EXTENDED: 3,
    Outcome.PERMANENT_BAN: 4,
}


# What a case naming nobody as reported may conclude with (one outcome for the whole case).
CASE_OUTCOMES = (
    Outcome.NOT_A_VIOLATION,
    Outcome.NO_IDENTIFIABLE_PERSON,
    Outcome.OUT_OF_SCOPE,
    Outcome.NO_ACTION,
)


class VoteValue(StrEnum):
    AGREE = "agree"
    OBJECT = "object"
    ABSTAIN = "abstain"


class DecisionRule(StrEnum):
    TWO_MEMBERS = "two_members"
    MAJORITY = "majority"
    CONSENSUS_TWO_THIRDS = "consensus_two_thirds"


class OngoingHarassment(StrEnum):
    YES = "Yes"
    NO = "No"
    MAYBE = "Maybe"
