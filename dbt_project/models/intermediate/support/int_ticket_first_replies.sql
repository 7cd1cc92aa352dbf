-- One row per Zendesk ticket (deleted ones left out): its first reply and the time to it, in
-- calendar minutes and in business minutes of the support schedule.
--
-- The first reply is the first PUBLIC comment by an agent or admin, after creation, that is not
-- the comment that opened the ticket. Private notes never count. For an agent-created ticket
-- (its opening comment written by an agent) this is the agent's second public comment, as
-- Zendesk's own reply-time metric counts it. No reply: NULL minutes, never 0.
--
-- Business minutes: for every local day (var support_time_zone) from creation to reply, each
-- schedule interval of that weekday, unless the day is a holiday, becomes two instants with
-- timezone(zone, local timestamp), i.e. with the UTC offset in force on that day (DST safe);
-- the overlap of [created_at, first_reply_at] with those intervals is summed.
{% set support_zone = "'" ~ var('support_time_zone') ~ "'" %}
with

tickets as (

    select
        ticket_id,
        created_at,
        brand_id

    from {{ ref('stg_zendesk__tickets') }}

    where not is_deleted

),

comments as (

    select
        comment_id,
        ticket_id,
        created_at,
        is_public,
        is_agent_author

    from {{ ref('stg_zendesk__ticket_comments') }}

),

support_brands as (

    select
        brand_id,
        marketplace_id

    from {{ ref('support_brands') }}

),

schedule as (

    select
        weekday,
        start_minute,
        end_minute

    from {{ ref('support_schedule') }}

),

holidays as (

    select holiday_date

    from {{ ref('support_holidays') }}

),

comments_ordered as (

    select
        comments.*,
        row_number() over (
            partition by comments.ticket_id
            order by
                comments.created_at,
                try_cast(comments.comment_id as bigint),
                comments.comment_id
        ) as comment_number

    from comments

),

opening_comments as (

    select
        ticket_id,
        is_agent_author as is_agent_created

    from comments_ordered

    where comment_number = 1

),

first_replies as (

    select
        comments_ordered.ticket_id,
        comments_ordered.comment_id as first_reply_comment_id,
        comments_ordered.created_at as first_reply_at

    from comments_ordered

    inner join tickets
        on comments_ordered.ticket_id = tickets.ticket_id

    where
        comments_ordered.is_public
        and comments_ordered.is_agent_author
        and comments_ordered.comment_number > 1
        and comments_ordered.created_at >= tickets.created_at

    qualify row_number() over (
        partition by comments_ordered.ticket_id
        order by comments_ordered.comment_number
    ) = 1

),

replied as (

    select
        tickets.ticket_id,
        tickets.created_at,
        first_replies.first_reply_at

    from tickets

    inner join first_replies
        on tickets.ticket_id = first_replies.ticket_id

),

reply_days as (

    select
        replied.ticket_id,
        replied.created_at,
        replied.first_reply_at,
        cast(calendar.calendar_day as date) as local_day

    from replied,
        unnest(generate_series(
            {{ to_local_date('replied.created_at', support_zone) }},
            {{ to_local_date('replied.first_reply_at', support_zone) }},
            interval 1 day
        )) as calendar (calendar_day)

),

business_intervals as (

    select
        reply_days.ticket_id,
        reply_days.created_at,
        reply_days.first_reply_at,
        timezone(
            {{ support_zone }}, reply_days.local_day + to_minutes(schedule.start_minute)
        ) as interval_start_at,
        timezone(
            {{ support_zone }}, reply_days.local_day + to_minutes(schedule.end_minute)
        ) as interval_end_at

    from reply_days

    inner join schedule
        on isodow(reply_days.local_day) = schedule.weekday

    left join holidays
        on reply_days.local_day = holidays.holiday_date

    where holidays.holiday_date is null

),

business_minutes as (

    select
        ticket_id,
        sum(greatest(
            date_diff(
                'second',
                greatest(created_at, interval_start_at),
                least(first_reply_at, interval_end_at)
            ),
            0
        )) / 60.0 as first_reply_business_minutes

    from business_intervals

    group by ticket_id

),

final as (

    select
        tickets.ticket_id,
        tickets.brand_id,
        coalesce(support_brands.marketplace_id, 'all') as marketplace_id,
        tickets.created_at,
        {{ to_local_date('tickets.created_at', support_zone) }} as created_local_date,
        coalesce(opening_comments.is_agent_created, false) as is_agent_created,
        first_replies.first_reply_comment_id,
        first_replies.first_reply_at,
        first_replies.first_reply_at is not null as is_answered,
        date_diff('second', tickets.created_at, first_replies.first_reply_at) / 60.0
            as first_reply_minutes,
        case
            when first_replies.first_reply_at is not null
                then coalesce(business_minutes.first_reply_business_minutes, 0)
        end as first_reply_business_minutes

    from tickets

    left join opening_comments
        on tickets.ticket_id = opening_comments.ticket_id

    left join first_replies
        on tickets.ticket_id = first_replies.ticket_id

    left join business_minutes
        on tickets.ticket_id = business_minutes.ticket_id

    left join support_brands
        on tickets.brand_id = support_brands.brand_id

)

select * from final
