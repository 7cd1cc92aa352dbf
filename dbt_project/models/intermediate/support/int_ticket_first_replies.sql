-- One row per Zendesk ticket (deleted ones left out): its first reply and the time to it, in
-- calendar minutes and in business minutes of the support schedule.
--
-- The first reply is the first PUBLIC comment by an agent or admin, after creation, that is not
-- the comment that opened the ticket. Private notes never count. For an agent-created ticket
-- (its opening comment written by an agent) this is the agent's second public comment, as
-- Zendesk's own reply-time metric counts it. No reply: NULL minutes, never 0.
--
-- Business minutes: the minutes of [created_at, first_reply_at] inside the support schedule,
-- holidays excluded, each local day with its own UTC offset (macro support_business_minutes,
-- the rule every business time of the warehouse follows).
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

business_minutes as (

    {{ support_business_minutes('replied', 'ticket_id', 'created_at', 'first_reply_at') }}

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
                then coalesce(business_minutes.business_minutes, 0)
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
