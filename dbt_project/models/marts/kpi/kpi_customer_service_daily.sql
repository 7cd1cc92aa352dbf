-- One row per marketplace (a ticket's brand mapped by seed support_brands; unmapped: 'all')
-- and support day: the local day of ticket CREATION in the support time zone (var
-- support_time_zone). Each row follows the tickets created that day (a cohort): how many got a
-- first reply and the minutes to it, how many are solved now and the minutes to their first and
-- final solve, how many of those reopened, their satisfaction ratings, and the contacts per 100
-- orders of that day. Every ratio is a ratio of the sums beside it; a zero denominator gives
-- NULL. Unanswered and unsolved tickets add nothing to the minute sums (never 0 minutes).
--
-- Contacts per 100 orders: tickets created for the marketplace on the support day / the orders
-- of that marketplace on its own local day of the same date (kpi_sales_daily.orders_count,
-- the marketplace's time zone) x 100. Each side keeps its own calendar (the help desk's day,
-- the storefront's day), so a day's figure pairs two days that are offset by the zones'
-- difference; over a week or a month the sums line up. NULL without orders (and always for
-- 'all', whose tickets no storefront owns). So that orders add up over any period, a mapped
-- marketplace also gets a row (0 tickets) for each day with orders and no ticket between the
-- first and the last support day.
--
-- is_provisional: the day is within var support_settle_days of the newest support day (a day
-- with tickets) of the whole mart: one export serves every brand, and late replies and solves
-- still change those cohorts. orders_count follows orders, which rarely change once placed
-- (cancellations), so the sales mart's longer refund window does not flag these rows.
with

first_replies as (

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

resolutions as (

    select
        ticket_id,
        is_solved,
        is_reopened,
        reopens_count,
        first_resolution_minutes,
        first_resolution_business_minutes,
        full_resolution_minutes,
        full_resolution_business_minutes,
        is_rated,
        is_rated_good

    from {{ ref('int_ticket_resolutions') }}

),

sales_days as (

    select
        marketplace_id,
        local_date,
        orders_count,
        is_provisional

    from {{ ref('kpi_sales_daily') }}

),

support_brands as (

    select distinct marketplace_id

    from {{ ref('support_brands') }}

),

tickets as (

    select
        first_replies.*,
        resolutions.is_solved,
        resolutions.is_reopened,
        resolutions.reopens_count,
        resolutions.first_resolution_minutes,
        resolutions.first_resolution_business_minutes,
        resolutions.full_resolution_minutes,
        resolutions.full_resolution_business_minutes,
        resolutions.is_rated,
        resolutions.is_rated_good

    from first_replies

    left join resolutions
        on first_replies.ticket_id = resolutions.ticket_id

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
        coalesce(sum(first_reply_business_minutes), 0) as first_response_business_minutes_sum,
        count(*) filter (where is_solved) as solved_tickets_count,
        coalesce(sum(first_resolution_minutes) filter (where is_solved), 0)
            as first_resolution_minutes_sum,
        coalesce(sum(first_resolution_business_minutes) filter (where is_solved), 0)
            as first_resolution_business_minutes_sum,
        coalesce(sum(full_resolution_minutes) filter (where is_solved), 0)
            as full_resolution_minutes_sum,
        coalesce(sum(full_resolution_business_minutes) filter (where is_solved), 0)
            as full_resolution_business_minutes_sum,
        count(*) filter (where is_solved and is_reopened) as reopened_tickets_count,
        coalesce(sum(reopens_count) filter (where is_solved), 0) as reopens_count,
        count(*) filter (where is_rated) as rated_tickets_count,
        count(*) filter (where is_rated_good) as good_ratings_count

    from tickets

    group by marketplace_id, created_local_date

),

support_span as (

    select
        min(local_date) as first_support_date,
        max(local_date) as last_support_date

    from summed

),

order_days_without_tickets as (

    select
        sales_days.marketplace_id,
        sales_days.local_date

    from sales_days

    inner join support_brands
        on sales_days.marketplace_id = support_brands.marketplace_id

    inner join support_span
        on sales_days.local_date >= support_span.first_support_date
        and sales_days.local_date <= support_span.last_support_date

    left join summed
        on sales_days.marketplace_id = summed.marketplace_id
        and sales_days.local_date = summed.local_date

    where sales_days.orders_count > 0 and summed.local_date is null

),

days as (

    select
        summed.*

    from summed

    union all

    select
        marketplace_id,
        local_date,
        0 as tickets_created_count,
        0 as answered_tickets_count,
        0 as unanswered_tickets_count,
        0 as agent_created_tickets_count,
        0 as first_response_minutes_sum,
        0 as first_response_business_minutes_sum,
        0 as solved_tickets_count,
        0 as first_resolution_minutes_sum,
        0 as first_resolution_business_minutes_sum,
        0 as full_resolution_minutes_sum,
        0 as full_resolution_business_minutes_sum,
        0 as reopened_tickets_count,
        0 as reopens_count,
        0 as rated_tickets_count,
        0 as good_ratings_count

    from order_days_without_tickets

),

final as (

    select
        days.marketplace_id,
        days.local_date,
        days.tickets_created_count,
        days.answered_tickets_count,
        days.unanswered_tickets_count,
        days.agent_created_tickets_count,
        days.first_response_minutes_sum,
        {{ ratio('days.first_response_minutes_sum', 'days.answered_tickets_count') }}
            as first_response_minutes,
        days.first_response_business_minutes_sum,
        {{ ratio('days.first_response_business_minutes_sum', 'days.answered_tickets_count') }}
            as first_response_business_minutes,
        days.solved_tickets_count,
        days.first_resolution_minutes_sum,
        {{ ratio('days.first_resolution_minutes_sum', 'days.solved_tickets_count') }}
            as first_resolution_minutes,
        days.first_resolution_business_minutes_sum,
        {{ ratio('days.first_resolution_business_minutes_sum', 'days.solved_tickets_count') }}
            as first_resolution_business_minutes,
        days.full_resolution_minutes_sum,
        {{ ratio('days.full_resolution_minutes_sum', 'days.solved_tickets_count') }}
            as full_resolution_minutes,
        days.full_resolution_business_minutes_sum,
        {{ ratio('days.full_resolution_business_minutes_sum', 'days.solved_tickets_count') }}
            as full_resolution_business_minutes,
        days.reopened_tickets_count,
        days.reopens_count,
        {{ ratio('days.reopened_tickets_count', 'days.solved_tickets_count') }} as reopen_rate,
        days.rated_tickets_count,
        days.good_ratings_count,
        {{ ratio('days.good_ratings_count', 'days.rated_tickets_count') }} as csat,
        sales_days.orders_count,
        100 * {{ ratio('days.tickets_created_count', 'sales_days.orders_count') }}
            as contacts_per_100_orders,
        date_diff(
            'day',
            days.local_date,
            max(days.local_date) filter (where days.tickets_created_count > 0) over ()
        ) < {{ var('support_settle_days') }} as is_provisional

    from days

    left join sales_days
        on days.marketplace_id = sales_days.marketplace_id
        and days.local_date = sales_days.local_date

)

select * from final
