-- One row per Zendesk user with the role that decides whether their comments are replies.
with

users as (

    select
        user_id,
        _record as record,
        _loaded_at

    from {{ source('zendesk', 'zendesk_users') }}

),

final as (

    select
        user_id,
        record ->> 'role' as user_role,
        coalesce(record ->> 'role' in ('agent', 'admin'), false) as is_agent,
        coalesce(try_cast(record ->> 'active' as boolean), true) as is_active,
        coalesce(try_cast(record ->> 'suspended' as boolean), false) as is_suspended,
        try_cast(record ->> 'created_at' as timestamptz) as created_at,
        try_cast(record ->> 'updated_at' as timestamptz) as updated_at,
        _loaded_at as loaded_at

    from users

)

select * from final
