"""Zendesk Support: the seller's help desk, with users, tickets and their comments.

Grain: one :class:`Ticket` per ticket with every comment and status change it will ever have;
one :class:`User` per person (end-users, agents, one admin).

A ticket's whole conversation is drawn when it is created, from a stream seeded by the seed
and the account-local day: the requester's description, private notes (sometimes before the
first public reply), agent replies, customer follow-ups, solving, closing four days later and
sometimes a satisfaction rating. Some tickets are never answered; some are opened by an agent
on the customer's behalf, so their first comment is the agent's. Some solved tickets reopen:
the customer writes again before the ticket closes (solved -> open), the agent answers and
solves it again. What is served is the state at ``as_of``; ``generated_timestamp`` is never
older than ``updated_at`` and sometimes newer (background updates that do not touch
``updated_at``), as on the real export.

Zendesk's ticket metrics (``metric_set_json``, the export's ``include=metric_sets`` sideload)
are computed here from each ticket's timeline, by a path of their own: business minutes come
from walking the UTC minutes one by one through ``zoneinfo`` against this module's copy of the
support schedule (:class:`BusinessMinutes`), not from the per-day intervals the dbt models
build, so the warehouse can be checked against them ticket by ticket.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sandbox.amazon import STOCKOUT_EPOCH
from sandbox.clock import DAY, HOUR, iso_z, local_day_bounds, zone

ACCOUNT_TIMEZONE = "Europe/London"
GROUP_ID = 360_000_111_222
# One Zendesk brand per storefront, as multi-brand sellers run their help desks (US, DE and JP
# Amazon, the Shopify store); dbt's seed support_brands.csv maps them to marketplaces. A
# ticket's brand follows from its id, so adding brands changed no random draw.
BRAND_IDS = (360_000_333_441, 360_000_333_442, 360_000_333_443, 360_000_333_444)
FORM_ID = 360_000_555_666
CUSTOM_FIELD_ID = 360_000_777_888
STATUS_IDS = {
    "new": 360_000_100_001,
    "open": 360_000_100_002,
    "pending": 360_000_100_003,
    "solved": 360_000_100_004,
    "closed": 360_000_100_005,
}
AGENT_NAMES = ("Priya Shah", "Tom Becker", "Yuki Tanaka", "Lena Fischer", "Sam Carter")
ADMIN_NAME = "Alex Morgan"
AGENT_CREATED_RATE = 0.12
UNANSWERED_RATE = 0.12
EARLY_NOTE_RATE = 0.3
FOLLOW_UP_RATE = 0.45
SOLVE_RATE = 0.88
RATING_RATE = 0.45
GOOD_RATING_RATE = 0.8
REOPEN_RATE = 0.15  # of solved tickets; a reopened ticket may reopen once more at this rate
MAX_REOPENS = 2
STAFF_ID_BASE = 370_000_000_000  # agents and the admin are STAFF_ID_BASE + 1 ...
METRIC_ID_BASE = 490_000_000_000
# The help desk's business hours as the account's Zendesk schedule holds them: the SAME content
# as dbt_project/seeds/support_schedule.csv and support_holidays.csv and the dbt var
# support_time_zone (tests/sandbox/test_zendesk_metrics.py fails when they part). The metrics
# served here are Zendesk's answer for that configuration, which the warehouse must reproduce.
SUPPORT_TIME_ZONE = "America/New_York"
SUPPORT_HOURS: dict[int, tuple[tuple[int, int], ...]] = {  # ISO weekday -> [start, end) minutes
    weekday: ((9 * 60, 17 * 60),) for weekday in range(1, 6)
}
SUPPORT_HOLIDAYS = frozenset(
    date.fromisoformat(day)
    for day in (
        "2026-01-01", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25",
        "2027-01-01", "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25", "2027-12-24",
    )
)  # fmt: skip
SOLVED_STATUSES = ("solved", "closed")
_HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 9, 9, 8, 8, 7, 6, 5, 4, 3, 2, 1)
_HOUR_CUM = list(itertools.accumulate(_HOURS))
_SUBJECTS = (
    ("Where is my order?", "shipping"),
    ("Item arrived damaged", "damaged"),
    ("I would like to return an item", "return"),
    ("Wrong colour received", "wrong_item"),
    ("Please send me an invoice", "invoice"),
    ("Can I change my delivery address?", "address_change"),
    ("Question about the product size", "product_question"),
)
_FIRST = ("Hannah", "Kenji", "Lucas", "Sofia", "Marta", "Daniel", "Aiko", "Ben", "Clara", "Omar")
_LAST = ("Miller", "Sato", "Schmidt", "Garcia", "Rossi", "Nguyen", "Klein", "Ito", "Brown")


@dataclass(slots=True)
class User:
    user_id: int
    role: str  # end-user | agent | admin
    name: str
    email: str
    created_ts: int
    update_ts: int  # a later profile change (0: none)
    locale: str

    def updated_ts(self, as_of: int) -> int:
        return self.update_ts if self.update_ts and self.update_ts <= as_of else self.created_ts


@dataclass(slots=True)
class Comment:
    comment_id: int
    ts: int
    author_id: int
    public: bool
    body: str
    channel: str


@dataclass(slots=True)
class Ticket:
    ticket_id: int
    created_ts: int
    requester_id: int
    submitter_id: int
    assignee_id: int
    channel: str
    subject: str
    tag: str
    priority: str
    kind: str
    comments: list[Comment]
    statuses: list[tuple[int, str]]  # (ts, status), first is (created, "new"|"open")
    assigned_ts: int  # when the assignee was set (0: never)
    rating: tuple[int, str, str, int] | None  # (ts, score, comment, rating id)
    system_touches: list[int] = field(default_factory=list)
    lag_s: int = 0  # seconds between a change and its export timestamp
    # state at as_of, set by settle()
    status: str = ""
    updated_ts: int = 0
    generated_ts: int = 0


def build_staff(first_day: date) -> list[User]:
    """Agents and the admin exist long before the window; one agent edits their profile in it."""
    joined = local_day_bounds(first_day - timedelta(days=300), ACCOUNT_TIMEZONE)[0] + 9 * HOUR
    staff = []
    for index, name in enumerate((*AGENT_NAMES, ADMIN_NAME)):
        role = "admin" if name == ADMIN_NAME else "agent"
        created = joined + index * DAY
        update = local_day_bounds(first_day + timedelta(days=2), ACCOUNT_TIMEZONE)[0] + 10 * HOUR
        staff.append(
            User(
                user_id=STAFF_ID_BASE + index + 1,
                role=role,
                name=name,
                email=f"{name.split()[0].lower()}@sandbox-support.example",
                created_ts=created,
                update_ts=update if index == 0 else 0,
                locale="en-GB",
            )
        )
    return staff


def _delay(rng: random.Random, median_s: float, low: int, high: int) -> int:
    return int(min(high, max(low, math.exp(rng.gauss(math.log(median_s), 1.0)))))


def generate(
    *, seed: int, days: list[date], tickets_per_day: int, as_of: int
) -> tuple[list[User], list[Ticket]]:
    """Staff, end-users and every ticket created on the account-local ``days`` by ``as_of``."""
    staff = build_staff(days[0])
    agents = [user for user in staff if user.role == "agent"]
    end_users: list[User] = []
    tickets: list[Ticket] = []
    for day in days:
        rng = random.Random(f"{seed}|zendesk|{day.isoformat()}")
        start, end = local_day_bounds(day, ACCOUNT_TIMEZONE)
        day_number = (day - STOCKOUT_EPOCH).days
        for index in range(tickets_per_day):
            serial = day_number * tickets_per_day + index
            ticket, new_user = _draw_ticket(rng, seed, serial, start, end, agents, end_users)
            if ticket.created_ts > as_of:
                continue
            if new_user is not None:
                end_users.append(new_user)
            settle(ticket, as_of)
            tickets.append(ticket)
    return staff + end_users, tickets


def _draw_ticket(
    rng: random.Random,
    seed: int,
    serial: int,
    day_start: int,
    day_end: int,
    agents: Sequence[User],
    known: Sequence[User],
) -> tuple[Ticket, User | None]:
    hour = rng.choices(range(24), cum_weights=_HOUR_CUM)[0]
    created = day_start + int((hour + rng.random()) / 24.0 * (day_end - day_start))
    ticket_id = serial + 1
    returning = rng.random() < 0.25
    pick = rng.random()
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    update_after = rng.randint(1, 20) * DAY + rng.randint(0, DAY)
    profile_edit = rng.random() < 0.2
    new_user = None
    earlier = known[min(int(pick * len(known)), len(known) - 1)] if known else None
    if returning and earlier is not None and earlier.created_ts < created:
        requester = earlier.user_id
    else:
        new_user = User(
            user_id=380_000_000_000 + ticket_id,
            role="end-user",
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}.{ticket_id}@customer.example",
            created_ts=created,
            update_ts=created + update_after if profile_edit else 0,
            locale=rng.choice(("en-US", "de", "ja", "en-GB")),
        )
        requester = new_user.user_id
    agent = rng.choice(agents).user_id
    subject, tag = rng.choice(_SUBJECTS)
    priority = rng.choices(("normal", "high", "low", "urgent"), weights=(70, 15, 10, 5))[0]
    kind = rng.choice(("question", "incident", "problem", "task"))
    agent_created = rng.random() < AGENT_CREATED_RATE
    channel = "web" if agent_created else rng.choices(
        ("email", "web", "chat", "api"), weights=(50, 30, 10, 10)
    )[0]  # fmt: skip
    unanswered = not agent_created and rng.random() < UNANSWERED_RATE
    early_note = rng.random() < EARLY_NOTE_RATE
    first_reply = _delay(rng, 3 * HOUR, 180, 72 * HOUR)
    rounds = [  # (does the customer write back, after how long, how long the agent takes)
        (
            rng.random() < FOLLOW_UP_RATE,
            rng.randint(HOUR, 36 * HOUR),
            _delay(rng, 2 * HOUR, 120, 48 * HOUR),
        )
        for _ in range(3)
    ]
    solve = rng.random() < SOLVE_RATE
    solve_after = rng.randint(0, 24 * HOUR)
    rated = rng.random() < RATING_RATE
    good = rng.random() < GOOD_RATING_RATE
    rating_after = rng.randint(HOUR, 48 * HOUR)
    touch = rng.random() < 0.1
    touch_after = rng.randint(HOUR, 10 * DAY)
    lag = rng.randint(0, 3)

    comments: list[Comment] = []
    statuses: list[tuple[int, str]] = []

    def comment(ts: int, author: int, public: bool, body: str, via: str = "web") -> None:
        comments.append(Comment(ticket_id * 100 + len(comments) + 1, ts, author, public, body, via))

    if agent_created:
        comment(created, agent, True, f"Hello, following up on your call: {subject.lower()}")
        statuses.append((created, "pending"))
        assigned = created
    else:
        comment(created, requester, True, f"{subject} My order number is in the subject.", channel)
        statuses.append((created, "new"))
        assigned = 0
    clock = created
    if early_note and not agent_created:
        note_at = created + max(60, int(first_reply * 0.5))
        comment(note_at, agent, False, "Internal note: checked the order in Seller Central.")
        statuses.append((note_at, "open"))
        assigned = note_at
    if not unanswered:
        if agent_created:
            clock = created
        else:
            clock = created + first_reply
            comment(clock, agent, True, "Thanks for reaching out, we are looking into it.")
            statuses.append((clock, "pending"))
            assigned = assigned or clock
        for follows, wait, reply in rounds:
            if not follows:
                break
            clock += wait
            comment(clock, requester, True, "Thank you, any update?", "email")
            statuses.append((clock, "open"))
            clock += reply
            comment(clock, agent, True, "Here is the update you asked for.")
            statuses.append((clock, "pending"))
        rating = None
        if solve:
            solved = clock + solve_after
            statuses.append((solved, "solved"))
            # reopens draw from a stream of their own, so adding them changed no other draw
            reopen_rng = random.Random(f"{seed}|zendesk|reopen|{ticket_id}")
            for _ in range(MAX_REOPENS):
                if reopen_rng.random() >= REOPEN_RATE:
                    break
                clock = solved + reopen_rng.randint(HOUR, 3 * DAY)  # before the 4-day close
                comment(clock, requester, True, "The problem is back, please help.", "email")
                statuses.append((clock, "open"))
                clock += _delay(reopen_rng, 2 * HOUR, 120, 48 * HOUR)
                comment(clock, agent, True, "Sorry to hear that, we have sorted it out again.")
                statuses.append((clock, "pending"))
                solved = clock + reopen_rng.randint(0, 24 * HOUR)
                statuses.append((solved, "solved"))
            statuses.append((solved + 4 * DAY, "closed"))
            if rated:
                score = "good" if good else "bad"
                note = "Quick and helpful" if good else "Took too long"
                rating = (solved + rating_after, score, note, 480_000_000_000 + ticket_id)
    else:
        rating = None
    ticket = Ticket(
        ticket_id=ticket_id,
        created_ts=created,
        requester_id=requester,
        submitter_id=agent if agent_created else requester,
        assignee_id=agent,
        channel=channel,
        subject=subject,
        tag=tag,
        priority=priority,
        kind=kind,
        comments=comments,
        statuses=statuses,
        assigned_ts=assigned,
        rating=rating,
        system_touches=[created + touch_after] if touch else [],
        lag_s=lag,
    )
    return ticket, new_user


def settle(ticket: Ticket, as_of: int) -> None:
    """Status, ``updated_at`` and ``generated_timestamp`` of the ticket at ``as_of``."""
    status = ticket.statuses[0][1]
    updated = ticket.created_ts
    for ts, value in ticket.statuses:
        if ts <= as_of:
            status, updated = value, max(updated, ts)
    for item in ticket.comments:
        if item.ts <= as_of:
            updated = max(updated, item.ts)
    if ticket.rating and ticket.rating[0] <= as_of:
        updated = max(updated, ticket.rating[0])
    generated = updated + ticket.lag_s
    for touch in ticket.system_touches:
        if touch <= as_of:
            generated = max(generated, touch)
    ticket.status = status
    ticket.updated_ts = updated
    ticket.generated_ts = min(generated, max(as_of, updated))


def visible_comments(ticket: Ticket, as_of: int) -> list[Comment]:
    return [item for item in ticket.comments if item.ts <= as_of]


def ticket_json(ticket: Ticket, as_of: int, base: str) -> dict:
    """One element of the incremental export's ``tickets`` at ``as_of``."""
    solved = ticket.status in ("solved", "closed")
    rating: dict | None = None
    if ticket.rating and ticket.rating[0] <= as_of:
        rating = {
            "id": ticket.rating[3],
            "score": ticket.rating[1],
            "comment": ticket.rating[2],
        }
    elif solved:
        rating = {"score": "offered"}
    assigned = ticket.assigned_ts and ticket.assigned_ts <= as_of
    return {
        "url": f"{base}/api/v2/tickets/{ticket.ticket_id}.json",
        "id": ticket.ticket_id,
        "external_id": None,
        "via": {"channel": ticket.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso_z(ticket.created_ts),
        "updated_at": iso_z(ticket.updated_ts),
        "type": ticket.kind,
        "subject": ticket.subject,
        "raw_subject": ticket.subject,
        "description": ticket.comments[0].body,
        "priority": ticket.priority,
        "status": ticket.status,
        "recipient": "support@sandbox-support.example",
        "requester_id": ticket.requester_id,
        "submitter_id": ticket.submitter_id,
        "assignee_id": ticket.assignee_id if assigned else None,
        "organization_id": None,
        "group_id": GROUP_ID if assigned else None,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": None,
        "has_incidents": False,
        "is_public": True,
        "due_at": None,
        "tags": [ticket.tag],
        "custom_fields": [{"id": CUSTOM_FIELD_ID, "value": ticket.tag}],
        "satisfaction_rating": rating,
        "sharing_agreement_ids": [],
        "custom_status_id": STATUS_IDS[ticket.status],
        "fields": [{"id": CUSTOM_FIELD_ID, "value": ticket.tag}],
        "followup_ids": [],
        "ticket_form_id": FORM_ID,
        "brand_id": BRAND_IDS[ticket.ticket_id % len(BRAND_IDS)],
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
        "generated_timestamp": ticket.generated_ts,
    }


class BusinessMinutes:
    """Which UTC minutes of ``[first_ts, last_ts]`` are support business minutes, and how many
    business seconds lie between two instants.

    Every UTC minute is looked at on its own: converted to the support zone with ``zoneinfo``
    (so each minute gets the offset in force at that instant, daylight saving included), it is
    a business minute when its local weekday has an interval holding its local minute of the
    day and its local date is no holiday. A running count over the minutes answers a span in
    constant time. The support zone's offsets are whole hours and the schedule is in whole local
    minutes, so a UTC minute is entirely inside business hours or entirely outside.
    """

    def __init__(self, first_ts: int, last_ts: int) -> None:
        tz = zone(SUPPORT_TIME_ZONE)
        self.first_minute = first_ts // 60
        count = last_ts // 60 - self.first_minute + 1
        self.is_business = bytearray(count)
        for index in range(count):
            local = datetime.fromtimestamp((self.first_minute + index) * 60, tz)
            minute_of_day = local.hour * 60 + local.minute
            self.is_business[index] = local.date() not in SUPPORT_HOLIDAYS and any(
                start <= minute_of_day < end
                for start, end in SUPPORT_HOURS.get(local.isoweekday(), ())
            )
        # business minutes before each minute (index i: minutes first_minute .. first_minute+i-1)
        self.before = [0, *itertools.accumulate(self.is_business)]

    def seconds(self, start_ts: int, end_ts: int) -> int:
        """Business seconds in ``[start_ts, end_ts)``; 0 when the span is empty."""
        if end_ts <= start_ts:
            return 0
        first, last = start_ts // 60 - self.first_minute, end_ts // 60 - self.first_minute
        if first < 0 or last >= len(self.is_business):
            raise ValueError("span outside the minutes this clock walked")
        if first == last:
            return (end_ts - start_ts) * self.is_business[first]
        head = (60 - start_ts % 60) * self.is_business[first]  # rest of the first minute
        tail = (end_ts % 60) * self.is_business[last]  # start of the last minute
        return head + 60 * (self.before[last] - self.before[first + 1]) + tail


@lru_cache(maxsize=4)
def business_minutes(first_ts: int, last_ts: int) -> BusinessMinutes:
    """One walk per span of a seller (the server renders many export pages from it)."""
    return BusinessMinutes(first_ts, last_ts)


def clock_for(tickets: Sequence[Ticket], as_of: int) -> BusinessMinutes:
    """The business-minute clock covering ``tickets`` (give all of a seller's: one walk, cached)
    up to ``as_of``."""
    first = min((ticket.created_ts for ticket in tickets), default=as_of)
    return business_minutes(first, as_of)


def whole_minutes(seconds: int | None) -> int | None:
    """Zendesk reports whole minutes; the sandbox truncates (16 min 59 s -> 16): completed
    minutes, as a stopwatch shows them. The warehouse's comparison applies the same rule."""
    return None if seconds is None else seconds // 60


def _minutes(calendar_s: int | None, business_s: int | None) -> dict[str, int | None]:
    return {"calendar": whole_minutes(calendar_s), "business": whole_minutes(business_s)}


def is_staff(user_id: int) -> bool:
    """An agent's or the admin's user id (build_staff numbers them from STAFF_ID_BASE)."""
    return STAFF_ID_BASE < user_id <= STAFF_ID_BASE + len(AGENT_NAMES) + 1


def metric_set_json(ticket: Ticket, as_of: int, base: str, clock: BusinessMinutes) -> dict:
    """The ticket's metric set at ``as_of``, as the export's ``metric_sets`` sideload carries it.

    Zendesk's definitions: the reply time runs from creation to the first public comment by an
    agent other than the comment that opened the ticket (private notes never count; on a ticket
    an agent opened, that is the agent's second public comment); NULL while there is none.
    First resolution runs to the first solve, full resolution to the latest solve of a ticket
    that is solved or closed now (NULL while it is open again). ``reopens`` counts the changes
    from solved back to an open state. Wait times split the time up to that latest solve by
    status: the requester waits in new, open and hold, the agent in pending; NULL until solved
    (time on hold counts from the start, 0 on a ticket never put on hold).
    """
    comments = visible_comments(ticket, as_of)
    statuses = [(ts, status) for ts, status in ticket.statuses if ts <= as_of]
    created = ticket.created_ts
    replies = [item for item in comments[1:] if item.public and is_staff(item.author_id)]
    first_reply = replies[0].ts if replies else None
    solves = [ts for ts, status in statuses if status == "solved"]
    current = statuses[-1][1]
    solved_at = solves[-1] if solves and current in SOLVED_STATUSES else None
    first_solved = solves[0] if solves else None
    reopens = sum(
        1
        for (_, before), (_, after) in itertools.pairwise(statuses)
        if before == "solved" and after not in SOLVED_STATUSES
    )

    def span(end: int | None) -> dict[str, int | None]:
        if end is None:
            return _minutes(None, None)
        return _minutes(end - created, clock.seconds(created, end))

    def time_in(states: tuple[str, ...], until: int) -> dict[str, int | None]:
        calendar = business = 0
        for (start, status), (end, _) in itertools.pairwise([*statuses, (until, "")]):
            if status in states and start < until:
                end = min(end, until)
                calendar += end - start
                business += clock.seconds(start, end)
        return _minutes(calendar, business)

    def waiting(states: tuple[str, ...]) -> dict[str, int | None]:
        return _minutes(None, None) if solved_at is None else time_in(states, solved_at)

    assigned = ticket.assigned_ts if 0 < ticket.assigned_ts <= as_of else None
    by_assignee = [item.ts for item in comments if item.author_id == ticket.assignee_id]
    by_requester = [item.ts for item in comments if item.author_id == ticket.requester_id]
    status_changed = statuses[-1][0]
    metric_id = METRIC_ID_BASE + ticket.ticket_id
    return {
        "url": f"{base}/api/v2/ticket_metrics/{metric_id}.json",
        "id": metric_id,
        "ticket_id": ticket.ticket_id,
        "created_at": iso_z(created),
        "updated_at": iso_z(ticket.updated_ts),
        "group_stations": 1 if assigned else 0,
        "assignee_stations": 1 if assigned else 0,
        "reopens": reopens,
        "replies": len(replies),
        "assignee_updated_at": iso_z(by_assignee[-1]) if assigned and by_assignee else None,
        "requester_updated_at": iso_z(by_requester[-1]) if by_requester else None,
        "status_updated_at": iso_z(status_changed),
        "custom_status_updated_at": iso_z(status_changed),
        "initially_assigned_at": iso_z(assigned) if assigned else None,
        "assigned_at": iso_z(assigned) if assigned else None,
        "solved_at": iso_z(solved_at) if solved_at else None,
        "latest_comment_added_at": iso_z(comments[-1].ts),
        "reply_time_in_minutes": span(first_reply),
        "reply_time_in_seconds": {
            "calendar": None if first_reply is None else first_reply - created
        },
        "first_resolution_time_in_minutes": span(first_solved),
        "full_resolution_time_in_minutes": span(solved_at),
        "agent_wait_time_in_minutes": waiting(("pending",)),
        "requester_wait_time_in_minutes": waiting(("new", "open", "hold")),
        "on_hold_time_in_minutes": time_in(("hold",), solved_at or as_of),
    }


def metric_sets_json(
    tickets: Sequence[Ticket], as_of: int, base: str, clock: BusinessMinutes
) -> list[dict]:
    """The metric sets of ``tickets`` (deleted ones have none), in their order."""
    return [
        metric_set_json(ticket, as_of, base, clock)
        for ticket in tickets
        if ticket.status != "deleted"
    ]


def comment_json(ticket: Ticket, item: Comment) -> dict:
    html = "".join(f"<p>{part}</p>" for part in item.body.split("\n"))
    return {
        "id": item.comment_id,
        "type": "Comment",
        "author_id": item.author_id,
        "body": item.body,
        "html_body": f'<div class="zd-comment" dir="auto">{html}</div>',
        "plain_body": item.body,
        "public": item.public,
        "attachments": [],
        "audit_id": item.comment_id * 10,
        "via": {"channel": item.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso_z(item.ts),
        "metadata": {"system": {}, "custom": {}},
    }


def user_json(user: User, as_of: int, base: str) -> dict:
    updated = user.updated_ts(as_of)
    return {
        "id": user.user_id,
        "url": f"{base}/api/v2/users/{user.user_id}.json",
        "name": user.name,
        "email": user.email,
        "created_at": iso_z(user.created_ts),
        "updated_at": iso_z(updated),
        "time_zone": "London",
        "iana_time_zone": ACCOUNT_TIMEZONE,
        "phone": "+44 20 0000 0001" if updated != user.created_ts else None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1176 if user.locale == "en-GB" else 1,
        "locale": user.locale,
        "organization_id": None,
        "role": user.role,
        "verified": True,
        "external_id": None,
        "tags": [],
        "alias": None,
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": iso_z(updated) if user.role != "end-user" else None,
        "two_factor_auth_enabled": None,
        "signature": f"{user.name}, Sandbox Support" if user.role != "end-user" else None,
        "details": None,
        "notes": None,
        "role_type": None,
        "custom_role_id": None,
        "moderator": user.role != "end-user",
        "ticket_restriction": "requested" if user.role == "end-user" else None,
        "only_private_comments": False,
        "restricted_agent": user.role == "end-user",
        "suspended": False,
        "default_group_id": GROUP_ID if user.role != "end-user" else None,
        "report_csv": user.role == "admin",
        "user_fields": {},
    }
