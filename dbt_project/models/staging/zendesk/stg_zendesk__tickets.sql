-- One row per Zendesk ticket (incremental ticket export), newest generated version.
with

tickets as (

    select
        ticket_id,
        _record as record,
        _loaded_at

    from {{ source('zendesk', 'zendesk_tickets') }}

),

final as (

    select
        ticket_id,
        cast(record ->> 'created_at' as timestamptz) as created_at,
        try_cast(record ->> 'updated_at' as timestamptz) as updated_at,
        record ->> 'status' as ticket_status,
        record ->> 'status' = 'deleted' as is_deleted,
        record ->> 'brand_id' as brand_id,
        record ->> 'requester_id' as requester_id,
        record ->> 'submitter_id' as submitter_id,
        record ->> 'assignee_id' as assignee_id,
        record ->> 'group_id' as group_id,
        record ->> 'type' as ticket_type,
        record ->> 'priority' as priority,
        record -> 'via' ->> 'channel' as via_channel,
        record -> 'satisfaction_rating' ->> 'score' as satisfaction_score,
        to_timestamp(try_cast(record ->> 'generated_timestamp' as bigint)) as generated_at,
        _loaded_at as loaded_at

    from tickets

)

select * from final
