-- One row per Zendesk ticket (incremental ticket export), newest generated version.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="ticket_id",
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('zendesk', 'zendesk_tickets'), ['ticket_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

tickets as (

    select
        ticket_id,
        _record as record,
        _loaded_at

    from {{ source('zendesk', 'zendesk_tickets') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build
    where {{ loaded_since('_loaded_at', plan) }}
    {% endif %}

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
