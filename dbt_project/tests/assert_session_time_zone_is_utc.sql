-- The warehouse session must run in UTC (profiles.yml `settings: {TimeZone: UTC}`): `::date`
-- casts of TIMESTAMPTZ follow the session zone, so a machine set to TZ=Australia/Sydney would
-- move 2026-03-31T13:30:00Z to 2026-04-01 in every UTC-based date. Fails with one row if not.
with

session as (

    select current_setting('TimeZone') as session_time_zone

),

final as (

    select * from session where session_time_zone <> 'UTC'

)

select * from final
