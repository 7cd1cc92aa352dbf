-- How late the data behind each number is, at two levels (freshness_level):
-- 'stream': one row per raw stream and scope (a marketplace, or `all` for a stream that serves
--   every marketplace at once: the help desk, the exchange rates; streams without event days,
--   such as ads profiles or shops, appear with their last load only): the newest local EVENT
--   day in the data (an order's day, a report's day, a ticket's creation day), the last
--   successful load (the newest batch committed to raw._load_log) and the data lag in days;
-- 'kpi': one row per KPI and marketplace of kpi_monthly (`all` included): the lag of its
--   worst source (kpi_catalogue.csv names the streams), so a number whose newest complete
--   day is a week old is never read as yesterday's.
-- The lag is measured from as_of_at, the newest successful load of ANY stream (the last
-- nightly run), to the stream's newest event day, both in the scope's time zone: a connector
-- that stopped loading keeps ageing. Data, not the clock: a rebuild gives the same lags.
-- raw._load_log is the connectors' state table, not a dbt source; before any load it does
-- not exist and the load columns and lags are NULL.
{%- set load_log = none %}
{%- if execute %}
    {%- set load_log = adapter.get_relation(
        database=target.database, schema='raw', identifier='_load_log'
    ) %}
{%- endif %}
{%- set support_zone = var('support_time_zone') %}
with

orders as (

    select
        channel,
        marketplace_id,
        order_local_date

    from {{ ref('int_orders_unioned') }}

),

refunds as (

    select
        channel,
        marketplace_id,
        refund_local_date

    from {{ ref('int_refunds_unioned') }}

    where marketplace_id is not null

),

stream_events as (

    select
        channel || '_orders' as source_stream,
        marketplace_id,
        max(order_local_date) as newest_event_date

    from orders

    group by channel, marketplace_id

    union all

    select
        'amazon_refund_events' as source_stream,
        marketplace_id,
        max(refund_local_date) as newest_event_date

    from refunds

    where channel = 'amazon'

    group by marketplace_id

    union all

    select
        'amazon_shipments' as source_stream,
        marketplace_id,
        max(ship_local_date) as newest_event_date

    from {{ ref('int_order_first_shipments') }}

    where channel = 'amazon' and marketplace_id is not null

    group by marketplace_id

    union all

    select
        'amazon_inventory_ledger' as source_stream,
        marketplace_id,
        max(ledger_date) as newest_event_date

    from {{ ref('stg_amazon_sp__inventory_ledger') }}

    where marketplace_id is not null

    group by marketplace_id

    union all

    select
        'amazon_inventory_summaries' as source_stream,
        marketplace_id,
        max(snapshot_date) as newest_event_date

    from {{ ref('stg_amazon_sp__inventory_summaries') }}

    group by marketplace_id

    union all

    select
        'amazon_ads_sp_campaigns' as source_stream,
        marketplace_id,
        max(local_date) as newest_event_date

    from {{ ref('int_ads_campaign_days_by_window') }}

    where marketplace_id is not null

    group by marketplace_id

    union all

    select
        'amazon_ads_sp_advertised_products' as source_stream,
        marketplace_id,
        max(local_date) as newest_event_date

    from {{ ref('int_ads_ad_days_by_window') }}

    where marketplace_id is not null

    group by marketplace_id

    union all

    select
        'zendesk_tickets' as source_stream,
        'all' as marketplace_id,
        max({{ to_local_date('created_at', "'" ~ support_zone ~ "'") }}) as newest_event_date

    from {{ ref('stg_zendesk__tickets') }}

    having count(*) > 0

    union all

    select
        'zendesk_ticket_comments' as source_stream,
        'all' as marketplace_id,
        max({{ to_local_date('created_at', "'" ~ support_zone ~ "'") }}) as newest_event_date

    from {{ ref('stg_zendesk__ticket_comments') }}

    having count(*) > 0

    union all

    -- a metric set changes when its ticket is replied to, solved or reopened
    select
        'zendesk_ticket_metrics' as source_stream,
        'all' as marketplace_id,
        max({{ to_local_date('updated_at', "'" ~ support_zone ~ "'") }}) as newest_event_date

    from {{ ref('stg_zendesk__ticket_metrics') }}

    having count(*) > 0

    union all

    select
        'fx_rates' as source_stream,
        'all' as marketplace_id,
        max(rate_date) as newest_event_date

    from {{ ref('stg_fx__rates') }}

    having count(*) > 0

),

marketplaces as (

    select
        marketplace_id,
        time_zone

    from {{ ref('int_marketplaces') }}

),

loads as (

    {% if load_log is not none %}
    select
        replace(raw_table, 'raw.', '') as source_stream,
        max(loaded_at) as last_loaded_at

    from raw._load_log

    group by raw_table
    {% else %}
    select
        cast(null as varchar) as source_stream,
        cast(null as timestamptz) as last_loaded_at

    where false
    {% endif %}

),

as_of as (

    select max(last_loaded_at) as as_of_at from loads

),

streams as (

    select
        coalesce(stream_events.source_stream, loads.source_stream) as source_stream,
        coalesce(stream_events.marketplace_id, 'all') as marketplace_id,
        stream_events.newest_event_date,
        loads.last_loaded_at

    from stream_events

    full outer join loads
        on stream_events.source_stream = loads.source_stream

),

stream_rows as (

    select
        streams.source_stream,
        streams.marketplace_id,
        case
            when streams.source_stream like 'zendesk%' then '{{ support_zone }}'
            else coalesce(marketplaces.time_zone, 'UTC')
        end as time_zone,
        streams.newest_event_date,
        streams.last_loaded_at,
        as_of.as_of_at

    from streams

    cross join as_of

    left join marketplaces
        on streams.marketplace_id = marketplaces.marketplace_id

),

stream_lags as (

    select
        *,
        date_diff(
            'day', newest_event_date, {{ to_local_date('as_of_at', 'time_zone') }}
        ) as data_lag_days

    from stream_rows

),

kpi_markets as (

    select
        kpi,
        marketplace_id,
        max(month) as newest_month

    from {{ ref('kpi_monthly') }}

    group by kpi, marketplace_id

),

month_markets as (

    select distinct
        month,
        marketplace_id

    from {{ ref('kpi_monthly') }}

    where marketplace_id <> 'all'

),

-- which stream scopes a KPI row reads: its own marketplace and the streams serving every
-- marketplace; the `all` row reads every marketplace with data in the KPI's newest month (a
-- store that stopped selling years ago does not make today's total look late)
kpi_scopes as (

    select
        kpi,
        marketplace_id,
        marketplace_id as source_marketplace_id

    from kpi_markets

    where marketplace_id <> 'all'

    union all

    select
        kpi,
        marketplace_id,
        'all' as source_marketplace_id

    from kpi_markets

    union all

    select
        totals.kpi,
        totals.marketplace_id,
        month_markets.marketplace_id as source_marketplace_id

    from kpi_markets as totals

    inner join month_markets
        on totals.newest_month = month_markets.month

    where totals.marketplace_id = 'all'

),

kpi_sources as (

    select
        kpi,
        source_streams,
        unnest(string_split(source_streams, '|')) as source_stream

    from {{ ref('kpi_catalogue') }}

),

kpi_candidates as (

    select
        kpi_scopes.kpi,
        kpi_scopes.marketplace_id,
        kpi_sources.source_streams,
        stream_lags.source_stream,
        stream_lags.marketplace_id as source_marketplace_id,
        stream_lags.time_zone,
        stream_lags.newest_event_date,
        stream_lags.last_loaded_at,
        stream_lags.as_of_at,
        stream_lags.data_lag_days

    from kpi_scopes

    inner join kpi_sources
        on kpi_scopes.kpi = kpi_sources.kpi

    left join stream_lags
        on kpi_sources.source_stream = stream_lags.source_stream
        and kpi_scopes.source_marketplace_id = stream_lags.marketplace_id

),

kpi_rows as (

    select *

    from kpi_candidates

    qualify row_number() over (
        partition by kpi, marketplace_id
        order by
            data_lag_days desc nulls last,
            newest_event_date nulls last,
            source_stream,
            source_marketplace_id
    ) = 1

),

final as (

    select
        'stream' as freshness_level,
        cast(null as varchar) as kpi,
        marketplace_id,
        source_stream,
        cast(null as varchar) as source_streams,
        marketplace_id as source_marketplace_id,
        time_zone,
        newest_event_date,
        last_loaded_at,
        as_of_at,
        data_lag_days

    from stream_lags

    union all

    select
        'kpi' as freshness_level,
        kpi,
        marketplace_id,
        source_stream,
        source_streams,
        source_marketplace_id,
        time_zone,
        newest_event_date,
        last_loaded_at,
        as_of_at,
        data_lag_days

    from kpi_rows

)

select * from final
