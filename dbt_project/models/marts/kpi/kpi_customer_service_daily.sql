-- One row per marketplace (a ticket's brand mapped by seed support_brands; unmapped: 'all')
-- and local day of ticket CREATION in the support time zone (var support_time_zone): tickets
-- created, how many got a first reply (at any later time) and the minutes to it. Averages are
-- sum / answered tickets; unanswered tickets add nothing to the sums (never 0 minutes).
-- is_provisional: the day is within var support_settle_days of the newest support day of the
-- whole mart (one export serves every brand): late first replies still change those cohorts.
with

tickets as (

    select
        marketplace_id,
        created_local_date,
        ticket_id,
        is_answered,
        is_agent_created,
        first_reply_minutes,
        first_reply_business_minutes

    from {{ ref('int_ticket_first_replies') }}

),

summed as (

    select
        marketplace_id,
        created_local_date as local_date,
        count(*) as tickets_created_count,
        count(*) filter (where is_answered) as answered_tickets_count,
        count(*) filter (where not is_answered) as unanswered_tickets_count,
        count(*) filter (where is_agent_created) as agent_created_tickets_count,
        coalesce(sum(first_reply_minutes), 0) as first_response_minutes_sum,
        coalesce(sum(first_reply_business_minutes), 0) as first_response_business_minutes_sum

    from tickets

    group by marketplace_id, created_local_date

),

final as (

    select
        marketplace_id,
        local_date,
        tickets_created_count,
        answered_tickets_count,
        unanswered_tickets_count,
        agent_created_tickets_count,
        first_response_minutes_sum,
        {{ ratio('first_response_minutes_sum', 'answered_tickets_count') }}
            as first_response_minutes,
        first_response_business_minutes_sum,
        {{ ratio('first_response_business_minutes_sum', 'answered_tickets_count') }}
            as first_response_business_minutes,
        date_diff('day', local_date, max(local_date) over ())
            < {{ var('support_settle_days') }} as is_provisional

    from summed

)

select * from final
