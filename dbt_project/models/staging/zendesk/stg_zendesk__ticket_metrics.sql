-- One row per Zendesk ticket metric set (the ticket export's metric_sets sideload), newest
-- updated_at: Zendesk's own reply and resolution times in whole minutes, its count of reopens
-- and replies, and when the ticket was last solved. The warehouse computes its own times; these
-- serve to check them (int_ticket_reply_time_differences) and to date the solves.
with

metric_sets as (

    select
        ticket_id,
        _record as record,
        _loaded_at

    from {{ source('zendesk', 'zendesk_ticket_metrics') }}

),

final as (

    select
        ticket_id,
        record ->> 'id' as metric_set_id,
        try_cast(record -> 'reply_time_in_minutes' ->> 'calendar' as bigint) as reply_minutes,
        try_cast(record -> 'reply_time_in_minutes' ->> 'business' as bigint)
            as reply_business_minutes,
        try_cast(record -> 'reply_time_in_seconds' ->> 'calendar' as bigint) as reply_seconds,
        try_cast(record -> 'first_resolution_time_in_minutes' ->> 'calendar' as bigint)
            as first_resolution_minutes,
        try_cast(record -> 'first_resolution_time_in_minutes' ->> 'business' as bigint)
            as first_resolution_business_minutes,
        try_cast(record -> 'full_resolution_time_in_minutes' ->> 'calendar' as bigint)
            as full_resolution_minutes,
        try_cast(record -> 'full_resolution_time_in_minutes' ->> 'business' as bigint)
            as full_resolution_business_minutes,
        coalesce(try_cast(record ->> 'reopens' as integer), 0) as reopens_count,
        coalesce(try_cast(record ->> 'replies' as integer), 0) as replies_count,
        try_cast(record ->> 'solved_at' as timestamptz) as solved_at,
        try_cast(record ->> 'created_at' as timestamptz) as created_at,
        try_cast(record ->> 'updated_at' as timestamptz) as updated_at,
        _loaded_at as loaded_at

    from metric_sets

)

select * from final
