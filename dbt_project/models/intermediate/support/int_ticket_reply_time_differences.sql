-- One row per ticket whose first reply time in the warehouse (int_ticket_first_replies) differs
-- from Zendesk's own (ticket metrics reply_time_in_minutes, reply_time_in_seconds): the list the
-- reply-time check reads; empty when the two agree on every ticket. Tickets without a landed
-- metric set are not compared.
--
-- Zendesk reports whole minutes, truncated (a reply after 16 min 59 s is 16; sandbox/zendesk.py
-- serves the same rule). Our exact minutes are truncated the same way and must then be EQUAL:
-- no tolerance, so a one-minute difference is a difference. Compared: answered or not, calendar
-- minutes, business minutes, and calendar seconds where Zendesk sends them.
with

first_replies as (

    select
        ticket_id,
        created_at,
        first_reply_at,
        first_reply_minutes,
        first_reply_business_minutes

    from {{ ref('int_ticket_first_replies') }}

),

ticket_metrics as (

    select
        ticket_id,
        reply_minutes,
        reply_business_minutes,
        reply_seconds

    from {{ ref('stg_zendesk__ticket_metrics') }}

),

compared as (

    select
        first_replies.ticket_id,
        first_replies.created_at,
        first_replies.first_reply_at,
        first_replies.first_reply_minutes,
        first_replies.first_reply_business_minutes,
        ticket_metrics.reply_minutes as zendesk_reply_minutes,
        ticket_metrics.reply_business_minutes as zendesk_reply_business_minutes,
        ticket_metrics.reply_seconds as zendesk_reply_seconds,
        cast(floor(first_replies.first_reply_minutes) as bigint)
            - ticket_metrics.reply_minutes as reply_minutes_difference,
        cast(floor(first_replies.first_reply_business_minutes) as bigint)
            - ticket_metrics.reply_business_minutes as reply_business_minutes_difference,
        (first_replies.first_reply_at is not null) = (ticket_metrics.reply_minutes is not null)
            as is_answered_alike,
        cast(floor(first_replies.first_reply_minutes) as bigint)
            is not distinct from ticket_metrics.reply_minutes as is_calendar_alike,
        cast(floor(first_replies.first_reply_business_minutes) as bigint)
            is not distinct from ticket_metrics.reply_business_minutes as is_business_alike,
        (
            ticket_metrics.reply_seconds is null
            or date_diff('second', first_replies.created_at, first_replies.first_reply_at)
            is not distinct from ticket_metrics.reply_seconds
        ) as is_seconds_alike

    from first_replies

    inner join ticket_metrics
        on first_replies.ticket_id = ticket_metrics.ticket_id

),

final as (

    select
        ticket_id,
        created_at,
        first_reply_at,
        first_reply_minutes,
        first_reply_business_minutes,
        zendesk_reply_minutes,
        zendesk_reply_business_minutes,
        zendesk_reply_seconds,
        reply_minutes_difference,
        reply_business_minutes_difference,
        concat_ws(
            ', ',
            case when not is_answered_alike then 'answered' end,
            case when not is_calendar_alike then 'calendar minutes' end,
            case when not is_business_alike then 'business minutes' end,
            case when not is_seconds_alike then 'calendar seconds' end
        ) as differences

    from compared

    where not (is_answered_alike and is_calendar_alike and is_business_alike and is_seconds_alike)

)

select * from final
