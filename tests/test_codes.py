"""One vocabulary: every list of codes lives in ``codes``; every other place that states one
(the engine, model choices, serializers, filters, the OpenAPI schema, page labels) states the
same codes, in the same order where order shows, with the same labels. A code added in one
place only fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from drf_spectacular.generators import SchemaGenerator

import accounts.models
import playbooks.models
import signals.models
import workspace.selectors.accounts as account_pages
from accounts.models import Account, Entitlement, Product, Stakeholder
from codes import Vocabulary
from codes.accounts import (
    SPONSOR_ROLES,
    EntitlementPeriod,
    ProductKind,
    Segment,
    StakeholderRole,
)
from codes.health import AccountActionCode, GuardrailReason, HealthComponent
from codes.opportunities import (
    CLOSED_STAGES,
    IN_PROGRESS_STAGES,
    MOTION_KIND,
    MOTION_KINDS,
    OPEN_STAGES,
    PLAY_MOTION,
    HeldBackReason,
    Motion,
    OpportunityStatus,
    Play,
    Stage,
)
from codes.signals import SIGNAL_KINDS_WITH_VALUE, SignalKind
from codes.triggers import ALERT_LEVELS, LEVEL_TRIGGERS, Trigger
from playbooks import labels
from playbooks.api.serializers import (
    AccountRefSerializer,
    OpportunitySerializer,
    OpportunityUpdateSerializer,
)
from playbooks.filters import OpportunityFilterSet
from playbooks.models import Opportunity, OpportunityStageChange
from playbooks.workflow import CRITERIA, PHASES
from scoring.api.serializers import (
    HealthComponentsSerializer,
    HeldBackSerializer,
    UtilizationSerializer,
)
from scoring.config import ScoringConfig
from scoring.engine import HEALTH_COLUMNS, score_book
from scoring.engine.assemble import CODE_INDEX
from scoring.engine.health import COMPONENTS as ENGINE_COMPONENTS
from scoring.engine.health import REASONS as ENGINE_REASONS
from scoring.engine.plays import CODE_ORDER
from scoring.filters import AccountFilterSet
from scoring.models import AccountAction, HealthSnapshot
from scoring.services import HEALTH_COMPONENTS
from signals.models import AccountSignal
from tests.scoring.test_engine import AS_OF, load_sample_book
from workspace.forms import STAGE_TARGETS
from workspace.views.accounts import LABELS as ACCOUNT_PAGE_LABELS
from workspace.views.opportunities import LABELS as OPPORTUNITY_PAGE_LABELS

# --- the vocabulary itself -------------------------------------------------------------------


def test_a_code_reads_as_its_plain_string() -> None:
    assert Play.TIER_UPGRADE == "tier_upgrade" and type(Play.TIER_UPGRADE) is str
    assert Play.labels[Play.TIER_UPGRADE] == "Tier upgrade"
    assert Play.codes[0] == Play.TIER_UPGRADE
    assert Play.choices[0] == ("tier_upgrade", "Tier upgrade")


def test_a_code_is_declared_once_with_a_label() -> None:
    with pytest.raises(ValueError, match="declared twice"):

        class Twice(Vocabulary):
            A = "a", "A"
            B = "a", "B"

    with pytest.raises(TypeError, match='"code", "Label"'):

        class Unlabelled(Vocabulary):
            A = "a"


def test_labels_are_read_only() -> None:
    with pytest.raises(TypeError):
        Play.labels["new_play"] = "New play"


# --- Django models ---------------------------------------------------------------------------

MODEL_FIELDS = [
    (Account, "segment", Segment),
    (Product, "kind", ProductKind),
    (Entitlement, "period", EntitlementPeriod),
    (Stakeholder, "role", StakeholderRole),
    (AccountSignal, "kind", SignalKind),
    (Opportunity, "play", Play),
    (Opportunity, "motion", Motion),
    (Opportunity, "status", OpportunityStatus),
    (Opportunity, "stage", Stage),
    (OpportunityStageChange, "from_stage", Stage),
    (OpportunityStageChange, "to_stage", Stage),
    (AccountAction, "code", AccountActionCode),
]


@pytest.mark.parametrize(
    ("model", "field", "vocabulary"),
    MODEL_FIELDS,
    ids=[f"{m.__name__}.{f}" for m, f, _ in MODEL_FIELDS],
)
def test_model_choices_are_the_vocabulary(model, field, vocabulary) -> None:
    assert list(model._meta.get_field(field).choices) == list(vocabulary.choices)


TEXT_CHOICES = [
    (accounts.models.Segment, Segment),
    (accounts.models.ProductKind, ProductKind),
    (accounts.models.EntitlementPeriod, EntitlementPeriod),
    (accounts.models.StakeholderRole, StakeholderRole),
    (signals.models.SignalKind, SignalKind),
    (playbooks.models.Play, Play),
    (playbooks.models.Motion, Motion),
    (playbooks.models.Stage, Stage),
    (playbooks.models.OpportunityStatus, OpportunityStatus),
    (playbooks.models.AccountActionCode, AccountActionCode),
]


@pytest.mark.parametrize(
    ("choices", "vocabulary"), TEXT_CHOICES, ids=[v.__name__ for _, v in TEXT_CHOICES]
)
def test_text_choices_are_the_vocabulary(choices, vocabulary) -> None:
    """The same members (``Stage.WON``), codes and labels, in the same order."""
    assert [(m.name, m.value, m.label) for m in choices] == [
        (name, code, vocabulary.labels[code]) for name, code in vocabulary.names
    ]
    assert choices.__name__ == vocabulary.__name__


def test_stage_groups_split_the_stages() -> None:
    assert set(OPEN_STAGES) | set(CLOSED_STAGES) == set(Stage.codes)
    assert not set(OPEN_STAGES) & set(CLOSED_STAGES)
    assert set(IN_PROGRESS_STAGES) < set(OPEN_STAGES)
    assert list(PHASES) == list(OPEN_STAGES) == list(playbooks.models.OPEN_STAGES)
    assert {code for code, _ in STAGE_TARGETS} <= set(Stage.codes)


def test_signal_kinds_with_a_value_are_signal_kinds() -> None:
    assert set(SIGNAL_KINDS_WITH_VALUE) <= set(SignalKind.codes)


# --- serializers and filters -----------------------------------------------------------------


def _pairs(field) -> list[tuple]:
    return list(field.choices.items())


def test_serializer_choices_are_the_vocabulary() -> None:
    opportunity = OpportunitySerializer().fields
    assert _pairs(opportunity["motion"]) == list(Motion.choices)
    assert _pairs(opportunity["stage"]) == list(Stage.choices)
    assert _pairs(OpportunityUpdateSerializer().fields["stage"]) == list(Stage.choices)
    assert _pairs(AccountRefSerializer().fields["segment"]) == list(Segment.choices)
    utilization = UtilizationSerializer().fields
    assert _pairs(utilization["period"]) == list(EntitlementPeriod.choices)
    assert list(utilization["level"].choices) == [0, *ALERT_LEVELS]
    assert list(HeldBackSerializer().fields["reason"].choices) == list(HeldBackReason.codes)
    assert list(HealthComponentsSerializer().fields) == list(HealthComponent.codes)


@pytest.mark.parametrize(
    ("filterset", "name", "vocabulary"),
    [
        (OpportunityFilterSet, "status", OpportunityStatus),
        (OpportunityFilterSet, "motion", Motion),
        (OpportunityFilterSet, "play", Play),
        (OpportunityFilterSet, "stage", Stage),
        (OpportunityFilterSet, "segment", Segment),
        (AccountFilterSet, "segment", Segment),
        (AccountFilterSet, "reason", GuardrailReason),
    ],
    ids=lambda x: getattr(x, "__name__", x),
)
def test_filter_choices_are_the_vocabulary(filterset, name, vocabulary) -> None:
    assert list(filterset.base_filters[name].extra["choices"]) == list(vocabulary.choices)


# --- the OpenAPI schema ----------------------------------------------------------------------

#: Every enum component of the schema: its vocabulary, and whether its description shows the
#: vocabulary's labels (a serializer given bare codes describes each code by itself).
SCHEMA_ENUMS = {
    "PlayEnum": (Play, True),
    "MotionEnum": (Motion, True),
    "StageEnum": (Stage, True),
    "StatusEnum": (OpportunityStatus, True),
    "SegmentEnum": (Segment, True),
    "ProductKindEnum": (ProductKind, True),
    "PeriodEnum": (EntitlementPeriod, True),
    "RoleEnum": (StakeholderRole, True),
    "AccountSignalKindEnum": (SignalKind, True),
    "ActionsEnum": (AccountActionCode, False),
    "ReasonEnum": (HeldBackReason, False),
}
#: Every query parameter with an enum (but ``ordering``): its vocabulary.
SCHEMA_PARAMETERS = {
    "play": Play,
    "motion": Motion,
    "stage": Stage,
    "status": OpportunityStatus,
    "segment": Segment,
    "reason": GuardrailReason,
    "role": StakeholderRole,
}
KIND_PARAMETERS = {"/api/v1/products/": ProductKind, "/api/v1/signals/": SignalKind}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _described(vocabulary: type[Vocabulary], labelled: bool) -> list[str]:
    return [f"* `{code}` - {label if labelled else code}" for code, label in vocabulary.choices]


def test_schema_enums_are_the_vocabulary(schema) -> None:
    components = schema["components"]["schemas"]
    enums = {name for name in components if name.endswith("Enum")} - {"NullEnum", "LevelEnum"}
    assert enums == set(SCHEMA_ENUMS), "tie every new enum of the API to a vocabulary of codes"
    for name, (vocabulary, labelled) in SCHEMA_ENUMS.items():
        assert components[name]["enum"] == list(vocabulary.codes), name
        assert components[name]["description"].splitlines() == _described(vocabulary, labelled)
    assert components["LevelEnum"]["enum"] == [0, *ALERT_LEVELS]
    health = components["HealthComponents"]["properties"]
    assert list(health) == list(HealthComponent.codes)


def test_schema_query_parameters_are_the_vocabulary(schema) -> None:
    seen = set()
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                enum = parameter["schema"].get("enum")
                if enum is None or parameter["name"] == "ordering":
                    continue
                name = parameter["name"]
                known = KIND_PARAMETERS if name == "kind" else SCHEMA_PARAMETERS
                key = path if name == "kind" else name
                assert key in known, f"tie the {name} parameter of {path} to codes"
                vocabulary = known[key]
                assert sorted(enum) == sorted(vocabulary.codes), (path, name)
                if "description" in parameter:
                    described = parameter["description"].splitlines()
                    assert described[-len(vocabulary.codes) :] == _described(vocabulary, True)
                seen.add(key)
    assert seen == set(SCHEMA_PARAMETERS) | set(KIND_PARAMETERS)


# --- the engine and the words of the pages ---------------------------------------------------


def test_the_engine_lists_are_the_vocabulary() -> None:
    assert list(Trigger.codes) == CODE_ORDER
    assert list(ENGINE_COMPONENTS) == list(HealthComponent.codes)
    assert list(ENGINE_REASONS) == list(GuardrailReason.codes)
    assert list(HealthComponent.codes) == HEALTH_COMPONENTS
    assert [c for c in HEALTH_COLUMNS if c in HealthComponent.labels] == list(HealthComponent.codes)
    assert {code: i for i, code in enumerate(Trigger.codes)} == CODE_INDEX
    config = ScoringConfig()
    slots = config.alert_slots()
    assert [code for code, _, _ in slots] == list(LEVEL_TRIGGERS)
    assert [int(level) for _, level, _ in slots] == list(ALERT_LEVELS)
    assert set(LEVEL_TRIGGERS) <= set(Trigger.codes)
    assert config.sponsor_role_list() == list(SPONSOR_ROLES)
    assert config.champion_role in StakeholderRole.codes


def test_every_play_has_a_motion_and_every_motion_a_conversation() -> None:
    assert list(PLAY_MOTION) == list(Play.codes)
    assert set(PLAY_MOTION.values()) <= set(Motion.codes)
    assert set(MOTION_KIND) <= set(Motion.codes)
    assert set(MOTION_KIND.values()) | {Motion.RENEWAL} == set(MOTION_KINDS)
    assert set(MOTION_KINDS) <= set(Motion.codes)
    assert all(set(c.kinds) <= set(MOTION_KINDS) for c in CRITERIA)
    assert {labels.motion_kind(m) for m in Motion.codes} == set(MOTION_KINDS)


def test_every_code_the_engine_can_emit_has_a_label() -> None:
    assert set(labels.PLAY_LABELS) == set(Play.codes)
    assert set(labels.MOTION_LABELS) == set(Motion.codes)
    assert set(labels.STATUS_LABELS) == set(OpportunityStatus.codes)
    assert set(labels.STAGE_LABELS) == set(Stage.codes)
    assert set(labels.TRIGGER_LABELS) == set(Trigger.codes)
    assert set(labels.REASON_LABELS) == set(GuardrailReason.codes) | set(HeldBackReason.codes)
    assert set(labels.ACTION_LABELS) == set(AccountActionCode.codes)
    for vocabulary in (Play, Trigger, GuardrailReason, HeldBackReason, AccountActionCode):
        assert all(vocabulary.labels[code].strip() for code in vocabulary.codes)
    # the pages' words
    assert OPPORTUNITY_PAGE_LABELS["reasons"] is labels.REASON_LABELS
    assert set(ACCOUNT_PAGE_LABELS["reasons"]) == set(GuardrailReason.codes)
    assert set(ACCOUNT_PAGE_LABELS["actions"]) == set(AccountActionCode.codes)
    assert set(ACCOUNT_PAGE_LABELS["segments"]) == set(Segment.codes)
    assert list(account_pages.COMPONENTS) == list(HealthComponent.choices)
    assert dict(account_pages.HELD_BACK_REASONS) == dict(HeldBackReason.labels)
    assert set(account_pages.ROLE_ORDER) == set(StakeholderRole.codes)
    assert set(account_pages.EXECUTIVE_ROLES) <= set(StakeholderRole.codes)
    for component in HealthComponent.codes:
        assert HealthSnapshot._meta.get_field(component).get_internal_type() == "FloatField"


#: What the engine writes under these names is a code: a play, motion, trigger, status,
#: reason or action (an opportunity's ``key`` starts with its play).
WRITTEN_CODES = {"code", "play", "motion", "status", "reason", "key"}
ENGINE = Path(__file__).resolve().parents[1] / "scoring" / "engine"


def _leftmost(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.BinOp):
        node = node.left
    return node


def _literal_codes(path: Path) -> list[str]:
    """Codes the module states by itself instead of naming them in ``codes``: a literal
    string as a keyword argument (``rows(code="x")``, ``.assign(code="x")``) or as a column of
    a ``DataFrame({...})`` it builds, under one of the names of ``WRITTEN_CODES``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        pairs = [(k.arg, k.value) for k in node.keywords]
        if getattr(node.func, "id", "") == "DataFrame" and node.args:
            columns = node.args[0]
            if isinstance(columns, ast.Dict):
                pairs += [
                    (k.value, v)
                    for k, v in zip(columns.keys, columns.values, strict=True)
                    if isinstance(k, ast.Constant)
                ]
        for name, value in pairs:
            value = _leftmost(value)
            literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
            if name in WRITTEN_CODES and literal and value.value:
                found.append(f"{path.name}:{value.lineno} {name}={value.value!r}")
    return found


def test_the_engine_writes_codes_named_in_the_vocabulary() -> None:
    """A literal code in the engine would pass unseen: a trigger code the vocabulary does not
    list has no place in the trigger order, and its rows are dropped."""
    assert [hit for path in sorted(ENGINE.glob("*.py")) for hit in _literal_codes(path)] == []


def test_what_the_engine_emits_is_in_the_vocabulary() -> None:
    """Scored, the sample book writes only codes of the vocabulary."""
    result = score_book(load_sample_book(), as_of=AS_OF, config=ScoringConfig())
    opportunities, health = result.opportunities, result.health
    assert set(opportunities["play"]) <= set(Play.codes)
    assert set(opportunities["motion"]) <= set(Motion.codes)
    assert set(opportunities["status"]) <= set(OpportunityStatus.codes)
    triggers = {t["code"] for ts in opportunities["triggers"] for t in ts}
    assert triggers and triggers <= set(Trigger.codes)
    reasons = {r for rs in health["reasons"] for r in rs}
    assert reasons and reasons <= set(GuardrailReason.codes)
    actions = {a["code"] for acts in health["actions"] for a in acts}
    assert actions and actions <= set(AccountActionCode.codes)
    held = {h["reason"] for hs in health["held_back"] for h in hs}
    assert held and held <= set(HeldBackReason.codes)
    assert set(result.held_back["reason"]) <= set(HeldBackReason.codes)
    assert set(health["weakest_component"]) <= set(HealthComponent.codes)
