-- One row per Zendesk ticket comment (bodies dropped at landing), with its public flag and the
-- role of its author: only public comments by agents or admins can be replies.
{{
    config(
        materialized="incremental",
        incremental_strategy="merge",
        unique_key="comment_id",
        on_schema_change="fail",
        post_hook=[
            "{{ delete_rows_missing_from_raw(source('zendesk', 'zendesk_ticket_comments'), ['comment_id']) }}",
            "{{ save_incremental_state() }}",
        ],
    )
}}
{%- set plan = incremental_plan() %}
with

comments as (

    select
        comment_id,
        ticket_id,
        _record as record,
        _loaded_at

    from {{ source('zendesk', 'zendesk_ticket_comments') }}
    {% if plan.changes_only %}
    -- an incremental run: the raw rows landed (new or changed) since the last build, and the
    -- comments whose author changed (a new role) or disappeared since then
    where {{ loaded_since('_loaded_at', plan) }}
        or comment_id in (
            select stored.comment_id
            from {{ this }} as stored
            left join {{ ref('stg_zendesk__users') }} as authors
                on stored.author_id = authors.user_id
            where {{ loaded_since('authors.loaded_at', plan) }}
                or (authors.user_id is null and stored.author_role <> 'unknown')
        )
    {% endif %}

),

users as (

    select
        user_id,
        user_role,
        is_agent

    from {{ ref('stg_zendesk__users') }}

),

extracted as (

    select
        comment_id,
        ticket_id,
        record ->> 'author_id' as author_id,
        coalesce(try_cast(record ->> 'public' as boolean), false) as is_public,
        cast(record ->> 'created_at' as timestamptz) as created_at,
        record ->> 'type' as comment_type,
        record -> 'via' ->> 'channel' as via_channel,
        _loaded_at as loaded_at

    from comments

),

final as (

    select
        extracted.comment_id,
        extracted.ticket_id,
        extracted.author_id,
        coalesce(users.user_role, 'unknown') as author_role,
        coalesce(users.is_agent, false) as is_agent_author,
        extracted.is_public,
        extracted.created_at,
        extracted.comment_type,
        extracted.via_channel,
        extracted.loaded_at

    from extracted

    left join users
        on extracted.author_id = users.user_id

)

select * from final
