"""Audience: lifecycle segments and RFM, segment playbooks, KOC/KOL, scenario campaigns.

The playbook's interaction chapter as pure functions: :func:`segment_users` (and its
NumPy twin :func:`segment_columns`) puts every user in one lifecycle stage with a reason;
:func:`default_playbook` and :func:`plan_actions` say what to do for each stage;
:func:`find_koc_candidates` and :func:`score_kol` find and vet advocates; campaigns and
:func:`curate_ugc` run scenario campaigns and feature the best user posts;
:class:`InboxState` (``smmkit.audience.inbox``) is the unified inbox: de-duplicated,
threaded, assigned, with response SLAs, and :func:`reply_call` answers on the right client.
"""

import typing as _typing

from smmkit import _public
from smmkit.audience.campaigns import (
    CampaignKind,
    CampaignMechanics,
    CurationDecision,
    CurationResult,
    Reward,
    RewardKind,
    ScenarioCampaign,
    UgcSubmission,
    curate_ugc,
    festival_story_campaign,
    hot_topic_campaign,
    product_campaign,
)
from smmkit.audience.inbox import (
    AssignmentRule,
    InboxConfig,
    InboxItem,
    InboxState,
    ReplyCall,
    SlaPolicy,
    reply_call,
)
from smmkit.audience.influencers import (
    CreatorPost,
    FollowerSnapshot,
    KocCandidate,
    KolProfile,
    KolScore,
    SuspicionFlag,
    find_koc_candidates,
    score_kol,
)
from smmkit.audience.lifecycle import (
    KIND_CODES,
    InteractionBatch,
    LifecycleAccumulator,
    LifecycleRules,
    RfmScore,
    Segmentation,
    UserAssignment,
    segment_columns,
    segment_users,
)
from smmkit.audience.playbooks import (
    ActionKind,
    ActionPlan,
    Incentive,
    IncentiveKind,
    SegmentAction,
    SegmentPlaybook,
    default_playbook,
    plan_actions,
)
from smmkit.audience.profile import AudienceProfile, GenderSkew, PurchaseChannel, normalize_tag

__all__ = [
    "ActionKind",
    "ActionPlan",
    "AssignmentRule",
    "AudienceProfile",
    "CampaignKind",
    "CampaignMechanics",
    "CreatorPost",
    "CurationDecision",
    "CurationResult",
    "FollowerSnapshot",
    "GenderSkew",
    "InboxConfig",
    "InboxItem",
    "InboxState",
    "Incentive",
    "IncentiveKind",
    "InteractionBatch",
    "KIND_CODES",
    "KocCandidate",
    "KolProfile",
    "KolScore",
    "LifecycleAccumulator",
    "LifecycleRules",
    "PurchaseChannel",
    "ReplyCall",
    "Reward",
    "RewardKind",
    "RfmScore",
    "ScenarioCampaign",
    "SegmentAction",
    "SegmentPlaybook",
    "Segmentation",
    "SlaPolicy",
    "SuspicionFlag",
    "UgcSubmission",
    "UserAssignment",
    "curate_ugc",
    "default_playbook",
    "festival_story_campaign",
    "find_koc_candidates",
    "hot_topic_campaign",
    "normalize_tag",
    "plan_actions",
    "product_campaign",
    "reply_call",
    "score_kol",
    "segment_columns",
    "segment_users",
]

_public.set_public_module(globals(), __all__, __name__)

if _typing.TYPE_CHECKING:  # the old name keeps type-checking until it goes
    festival_campaign = festival_story_campaign
else:  # reading it warns
    __getattr__ = _public.deprecated_aliases(
        __name__, globals(), {"festival_campaign": "festival_story_campaign"}, removal="0.2"
    )
