"""The approval workflow of a post: a pure state machine with a complete audit trail.

A post moves through these states (arrows are the only legal steps)::

    draft             → in_review
    in_review         → approved | changes_requested
    changes_requested → in_review | draft
    approved          → scheduled | draft
    scheduled         → publishing | approved
    publishing        → published | failed
    failed            → scheduled | publishing | draft
    published         → retracted
    retracted         (final)

Every step records who took it, when and why (:class:`Transition`); a
:class:`PostWorkflow` is a frozen value and each step returns a new one, so the history
can never be edited behind the auditor's back. A step the machine does not allow raises
:class:`~smmkit.exceptions.IllegalTransitionError`, which names the allowed next states.

Why these edges: an edit after approval sends the post back to ``draft`` (it must be
reviewed again); ``scheduled → approved`` is "unschedule" (a crisis freeze, a moved
campaign); a failed publish may be retried now (``publishing``), later (``scheduled``)
or reworked (``draft``); only a published post can be retracted, and retraction is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from types import MappingProxyType

from pydantic import Field, model_validator

from smmkit.exceptions import IllegalTransitionError, InvalidInputError
from smmkit.models._base import AwareDatetime, FieldValueError, SmmkitModel, require_aware

__all__ = ["PostState", "PostWorkflow", "TRANSITIONS", "Transition"]


class PostState(str, Enum):
    """Where a post is in its life.

    Example:
        >>> PostState("in_review") is PostState.IN_REVIEW
        True
    """

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    RETRACTED = "retracted"


TRANSITIONS: Mapping[PostState, tuple[PostState, ...]] = MappingProxyType(
    {
        PostState.DRAFT: (PostState.IN_REVIEW,),
        PostState.IN_REVIEW: (PostState.APPROVED, PostState.CHANGES_REQUESTED),
        PostState.CHANGES_REQUESTED: (PostState.IN_REVIEW, PostState.DRAFT),
        PostState.APPROVED: (PostState.SCHEDULED, PostState.DRAFT),
        PostState.SCHEDULED: (PostState.PUBLISHING, PostState.APPROVED),
        PostState.PUBLISHING: (PostState.PUBLISHED, PostState.FAILED),
        PostState.FAILED: (PostState.SCHEDULED, PostState.PUBLISHING, PostState.DRAFT),
        PostState.PUBLISHED: (PostState.RETRACTED,),
        PostState.RETRACTED: (),
    }
)
"""The legal next states of each state (a read-only mapping)."""

# Steps that are a judgement or an incident must say why.
_REASON_REQUIRED = frozenset({PostState.CHANGES_REQUESTED, PostState.FAILED, PostState.RETRACTED})


class Transition(SmmkitModel):
    """One recorded step: from which state to which, who took it, when, and why.

    Example:
        >>> from datetime import datetime, timezone
        >>> t = Transition(source="draft", target="in_review", actor="li.na",
        ...                at=datetime(2026, 5, 1, 9, tzinfo=timezone.utc))
        >>> t.target.value
        'in_review'
    """

    source: PostState
    target: PostState
    actor: str = Field(min_length=1, description="Who took the step (user id or system name).")
    at: AwareDatetime
    reason: str | None = None


class PostWorkflow(SmmkitModel):
    """The life of one post: its current state and every step that led there.

    ``four_eyes=True`` forbids the person who submitted a post for review from approving it.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> t0 = datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
        >>> wf = PostWorkflow(post_id="tea-001@douyin")
        >>> wf = wf.submit(actor="li.na", at=t0)
        >>> wf = wf.approve(actor="wang.fang", at=t0 + timedelta(hours=1))
        >>> wf.state.value, [t.actor for t in wf.history]
        ('approved', ['li.na', 'wang.fang'])
        >>> try:
        ...     wf.retract(actor="li.na", at=t0, reason="typo")
        ... except IllegalTransitionError as exc:
        ...     print(exc.allowed)
        ('scheduled', 'draft')
    """

    post_id: str = Field(min_length=1)
    state: PostState = PostState.DRAFT
    history: tuple[Transition, ...] = ()
    four_eyes: bool = False

    @model_validator(mode="after")
    def _history_is_a_legal_chain(self) -> PostWorkflow:
        # A workflow rebuilt from storage must be one the machine could have produced.
        current = PostState.DRAFT
        previous_at: datetime | None = None
        for i, step in enumerate(self.history):
            if step.source is not current:
                raise FieldValueError(
                    f"history.{i}.source",
                    f"starts from {step.source.value!r} but the post was in {current.value!r}",
                )
            if step.target not in TRANSITIONS[current]:
                raise FieldValueError(
                    f"history.{i}.target",
                    f"{current.value!r} -> {step.target.value!r} is not allowed",
                )
            if previous_at is not None and step.at < previous_at:
                raise FieldValueError(f"history.{i}.at", "is earlier than the step before it")
            previous_at = step.at
            current = step.target
        if current is not self.state:
            raise FieldValueError(
                "state",
                f"{self.state.value!r} does not match the history, which ends in {current.value!r}",
            )
        return self

    @property
    def allowed_next(self) -> tuple[PostState, ...]:
        """The states this post may move to next."""
        return TRANSITIONS[self.state]

    @property
    def is_final(self) -> bool:
        """True when no further step is possible (retracted)."""
        return not TRANSITIONS[self.state]

    def can(self, target: PostState | str) -> bool:
        """Whether moving to ``target`` is legal now.

        Example:
            >>> PostWorkflow(post_id="p").can("published")
            False
        """
        return PostState(target) in TRANSITIONS[self.state]

    def transition(
        self,
        target: PostState | str,
        *,
        actor: str,
        at: datetime,
        reason: str | None = None,
    ) -> PostWorkflow:
        """Take one step and return the new workflow (this one is unchanged).

        Raises :class:`~smmkit.exceptions.IllegalTransitionError` for a step the machine
        forbids, :class:`~smmkit.exceptions.InvalidInputError` when a required reason is
        missing, ``at`` is earlier than the last step, or (with ``four_eyes``) the
        submitter tries to approve.

        Example:
            >>> from datetime import datetime, timezone
            >>> wf = PostWorkflow(post_id="p").transition(
            ...     "in_review", actor="li.na", at=datetime(2026, 5, 1, tzinfo=timezone.utc))
            >>> wf.state.value
            'in_review'
        """
        try:
            goal = PostState(target)
        except ValueError:
            raise InvalidInputError.single(
                "target", f"must be one of {', '.join(s.value for s in PostState)}", target
            ) from None
        allowed = TRANSITIONS[self.state]
        if goal not in allowed:
            raise IllegalTransitionError(
                self.state.value, goal.value, tuple(s.value for s in allowed)
            )
        if goal in _REASON_REQUIRED and not (reason and reason.strip()):
            raise InvalidInputError.single(
                "reason", f"is required to move a post to {goal.value!r}", reason
            )
        require_aware(at, "at")
        if self.history and at < self.history[-1].at:
            raise InvalidInputError.single(
                "at", "is earlier than the previous step of this workflow", at
            )
        if self.four_eyes and goal is PostState.APPROVED:
            submitter = next(
                (t.actor for t in reversed(self.history) if t.target is PostState.IN_REVIEW),
                None,
            )
            if submitter == actor:
                raise InvalidInputError.single(
                    "actor", "four-eyes rule: the submitter cannot approve their own post", actor
                )
        step = Transition(source=self.state, target=goal, actor=actor, at=at, reason=reason)
        return PostWorkflow(
            post_id=self.post_id,
            state=goal,
            history=(*self.history, step),
            four_eyes=self.four_eyes,
        )

    def submit(self, *, actor: str, at: datetime, reason: str | None = None) -> PostWorkflow:
        """Send the post for review (``draft``/``changes_requested`` → ``in_review``)."""
        return self.transition(PostState.IN_REVIEW, actor=actor, at=at, reason=reason)

    def approve(self, *, actor: str, at: datetime, reason: str | None = None) -> PostWorkflow:
        """Approve the post (``in_review`` → ``approved``)."""
        return self.transition(PostState.APPROVED, actor=actor, at=at, reason=reason)

    def request_changes(self, *, actor: str, at: datetime, reason: str) -> PostWorkflow:
        """Send the post back with what to change (``in_review`` → ``changes_requested``)."""
        return self.transition(PostState.CHANGES_REQUESTED, actor=actor, at=at, reason=reason)

    def schedule(self, *, actor: str, at: datetime, reason: str | None = None) -> PostWorkflow:
        """Put the approved post in the publishing queue (→ ``scheduled``)."""
        return self.transition(PostState.SCHEDULED, actor=actor, at=at, reason=reason)

    def start_publishing(
        self, *, actor: str, at: datetime, reason: str | None = None
    ) -> PostWorkflow:
        """Mark the publish call as under way (→ ``publishing``)."""
        return self.transition(PostState.PUBLISHING, actor=actor, at=at, reason=reason)

    def mark_published(
        self, *, actor: str, at: datetime, reason: str | None = None
    ) -> PostWorkflow:
        """Record that the platform confirmed the post (``publishing`` → ``published``)."""
        return self.transition(PostState.PUBLISHED, actor=actor, at=at, reason=reason)

    def mark_failed(self, *, actor: str, at: datetime, reason: str) -> PostWorkflow:
        """Record a failed publish and its cause (``publishing`` → ``failed``)."""
        return self.transition(PostState.FAILED, actor=actor, at=at, reason=reason)

    def retract(self, *, actor: str, at: datetime, reason: str) -> PostWorkflow:
        """Take a published post down (``published`` → ``retracted``, final)."""
        return self.transition(PostState.RETRACTED, actor=actor, at=at, reason=reason)
