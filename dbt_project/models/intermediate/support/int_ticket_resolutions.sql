-- One row per Zendesk ticket (deleted ones left out): whether it is solved, when it was solved
-- first and last, how often it reopened, the minutes from creation to the first and to the final
-- solve in calendar and business minutes (macro support_business_minutes, the same rule as
-- first replies), and its satisfaction rating.
--
-- Solved: status solved or closed, with the solve time known (its metric set has landed). The
-- final solve is the metric set's solved_at. The API gives no first-solve timestamp, so it is
-- derived: a ticket that never reopened was first solved when it was last solved (solved_at); a
-- reopened one at created_at + Zendesk's first_resolution_time_in_minutes.calendar, which is in
-- whole minutes (truncated), so that instant is known to the minute and its minutes are
-- Zendesk's (first_solved_at_source says which way each ticket went).
-- A rating is a good or bad satisfaction score; offered (asked, not answered) and unoffered are
-- not ratings.
with

tickets as (

    select
        ticket_id,
        created_at,
        ticket_status,
        satisfaction_score

    from {{ ref('stg_zendesk__tickets') }}

    where not is_deleted

),

ticket_metrics as (

    select
        ticket_id,
        solved_at,
        reopens_count,
        first_resolution_minutes

    from {{ ref('stg_zendesk__ticket_metrics') }}

),

first_replies as (

    select
        ticket_id,
        marketplace_id,
        created_local_date

    from {{ ref('int_ticket_first_replies') }}

),

solves as (

    select
        tickets.ticket_id,
        tickets.created_at,
        tickets.ticket_status,
        tickets.satisfaction_score,
        coalesce(ticket_metrics.reopens_count, 0) as reopens_count,
        tickets.ticket_status in ('solved', 'closed') and ticket_metrics.solved_at is not null
            as is_solved,
        case
            when tickets.ticket_status in ('solved', 'closed') then ticket_metrics.solved_at
        end as solved_at,
        case
            when coalesce(ticket_metrics.reopens_count, 0) = 0 then ticket_metrics.solved_at
            else tickets.created_at + to_minutes(ticket_metrics.first_resolution_minutes)
        end as first_solved_at,
        case
            when coalesce(ticket_metrics.reopens_count, 0) = 0
                and ticket_metrics.solved_at is not null
                then 'solved_at'
            when ticket_metrics.reopens_count > 0
                and ticket_metrics.first_resolution_minutes is not null
                then 'first_resolution_time'
        end as first_solved_at_source

    from tickets

    left join ticket_metrics
        on tickets.ticket_id = ticket_metrics.ticket_id

),

first_solve_business_minutes as (

    {{ support_business_minutes('solves', 'ticket_id', 'created_at', 'first_solved_at') }}

),

final_solve_business_minutes as (

    {{ support_business_minutes('solves', 'ticket_id', 'created_at', 'solved_at') }}

),

final as (

    select
        solves.ticket_id,
        first_replies.marketplace_id,
        first_replies.created_local_date,
        solves.created_at,
        solves.ticket_status,
        solves.is_solved,
        solves.first_solved_at,
        solves.first_solved_at_source,
        solves.solved_at,
        solves.reopens_count,
        solves.reopens_count > 0 as is_reopened,
        date_diff('second', solves.created_at, solves.first_solved_at) / 60.0
            as first_resolution_minutes,
        case
            when solves.first_solved_at is not null
                then coalesce(first_solve_business_minutes.business_minutes, 0)
        end as first_resolution_business_minutes,
        date_diff('second', solves.created_at, solves.solved_at) / 60.0
            as full_resolution_minutes,
        case
            when solves.solved_at is not null
                then coalesce(final_solve_business_minutes.business_minutes, 0)
        end as full_resolution_business_minutes,
        solves.satisfaction_score,
        coalesce(solves.satisfaction_score in ('good', 'bad'), false) as is_rated,
        coalesce(solves.satisfaction_score = 'good', false) as is_rated_good

    from solves

    inner join first_replies
        on solves.ticket_id = first_replies.ticket_id

    left join first_solve_business_minutes
        on solves.ticket_id = first_solve_business_minutes.ticket_id

    left join final_solve_business_minutes
        on solves.ticket_id = final_solve_business_minutes.ticket_id

)

select * from final
