{#-
    Incremental models: what changed since the model was last built, and how its rows are
    replaced. The contract is in README.md ("Incremental models"); in short:

    - Every incremental model remembers, in its table comment (a small JSON object written by
      the post-hook `save_incremental_state()`), the newest `_loaded_at` of every raw table when
      it was last built (`raw_high_water`, never later than its incremental parents' own), a
      hash of the contents of every seed it reads, directly or through its parents
      (`seeds_hash`), and a checksum of its SQL file and of every model file upstream of it
      (`models_checksum`).
    - `incremental_plan()` tells a model, when it is compiled, whether it may process changes
      only (`changes_only`: an incremental run, a remembered state, the same seeds and SQL)
      and since when (`since`: raw rows loaded after it are new or changed). Otherwise the
      model selects every row, exactly as a full build does.
    - Staging models merge on their raw key; the models that aggregate several inputs replace
      whole scopes (all the lines of an order) with the strategy `replace_scope` below.
-#}

{#- The newest _loaded_at of every raw table (every source of the project), as SQL text in the
    session time zone (UTC), exact to the microsecond; '-infinity' while raw is empty. -#}
{% macro raw_high_water_sql() -%}
    select coalesce(cast(max(loaded_at) as varchar), '-infinity') from (
    {%- for source_node in graph.sources.values() | sort(attribute='name') %}
        select max(_loaded_at) as loaded_at
        from {{ source_node.schema }}.{{ source_node.identifier }}
        {{- " union all" if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{#- The high water the current model may remember: the raw high water, but never later than
    the one remembered by an incremental model upstream of it. A build of this model alone
    (`dbt build -s <model>`), or after a parent was skipped, read parents that had not yet
    taken the newest raw rows: those rows must still count as new at its next build. -#}
{% macro model_high_water_sql() -%}
    {%- set parents = [] -%}
    {%- for node_id in node_ancestors(model.unique_id) if node_id.startswith('model.') -%}
        {%- set parent = graph.nodes[node_id] -%}
        {%- if parent.config.materialized == 'incremental' -%}
            {%- do parents.append(parent) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parents | length == 0 -%}
        {{ raw_high_water_sql() }}
    {%- else -%}
        select coalesce(cast(least(
            ({{ raw_high_water_sql() }})::timestamptz,
            (
                select min(coalesce(
                    try_cast(json_extract_string(comment, '$.raw_high_water') as timestamptz),
                    '-infinity'::timestamptz
                ))
                from duckdb_tables()
                where database_name = current_database()
                    and schema_name || '.' || table_name in (
                    {%- for parent in parents -%}
                        '{{ parent.schema }}.{{ parent.alias }}'{{ ", " if not loop.last }}
                    {%- endfor -%}
                    )
            )
        ) as varchar), '-infinity')
    {%- endif -%}
{%- endmacro %}

{#- The models and seeds a node reads, directly or through its parents: unique ids, sorted. -#}
{% macro node_ancestors(unique_id, found=none) -%}
    {%- set found = found if found is not none else [] -%}
    {%- set node = graph.nodes.get(unique_id) -%}
    {%- if node is not none -%}
        {%- for parent in node.depends_on.nodes -%}
            {%- set is_model_or_seed = parent.startswith('seed.') or parent.startswith('model.') -%}
            {%- if parent not in found and is_model_or_seed -%}
                {%- do found.append(parent) -%}
                {%- do node_ancestors(parent, found) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return(found | sort | list) -}}
{%- endmacro %}

{#- One checksum of the SQL files of the current model and of every model upstream of it: an
    edited model makes every incremental model downstream of it rebuild all its rows. -#}
{% macro models_checksum() -%}
    {%- set checksums = [model.checksum.checksum] -%}
    {%- for node_id in node_ancestors(model.unique_id) if node_id.startswith('model.') -%}
        {%- do checksums.append(graph.nodes[node_id].checksum.checksum) -%}
    {%- endfor -%}
    {{- return(local_md5(checksums | join(','))) -}}
{%- endmacro %}

{#- One hash of the contents of every seed the current model reads, as SQL (a constant when
    the model reads none). -#}
{% macro seeds_hash_sql() -%}
    {%- set seeds = [] -%}
    {%- for node_id in node_ancestors(model.unique_id) if node_id.startswith('seed.') -%}
        {%- do seeds.append(node_id) -%}
    {%- endfor -%}
    {%- if seeds | length == 0 -%}
        select 'no seeds'
    {%- else -%}
        select md5(string_agg(seed_hash, ',' order by seed_name)) from (
        {%- for seed_id in seeds %}
            {%- set seed_node = graph.nodes[seed_id] %}
            select
                '{{ seed_node.name }}' as seed_name,
                md5(coalesce(
                    string_agg(cast(seed_row as varchar), '|' order by cast(seed_row as varchar)),
                    ''
                )) as seed_hash
            from {{ seed_node.schema }}.{{ seed_node.alias }} as seed_row
            {{- " union all" if not loop.last }}
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- The state the current model remembers (its table comment), or none. -#}
{% macro remembered_incremental_state() -%}
    {%- set found = run_query(
        "select comment from duckdb_tables() where database_name = current_database() "
        ~ "and schema_name = '" ~ this.schema ~ "' and table_name = '" ~ this.identifier ~ "'"
    ) -%}
    {%- if found is none or found.rows | length == 0 or not found.rows[0][0] -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set state = fromjson(found.rows[0][0], none) -%}
    {%- if state is not mapping
        or not state.get('raw_high_water')
        or not state.get('seeds_hash') -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(state) -}}
{%- endmacro %}

{#- What the current model may do in this run:
    {'changes_only': true, 'since': '<timestamptz literal>'} when it may process changes only,
    {'changes_only': false} when it must select every row (a first or full build, a table
    without remembered state, a changed seed or model file upstream, or parsing). -#}
{% macro incremental_plan() -%}
    {%- if not execute or not is_incremental() -%}
        {{- return({'changes_only': false}) -}}
    {%- endif -%}
    {%- set state = remembered_incremental_state() -%}
    {%- if state is none -%}
        {{- return({'changes_only': false}) -}}
    {%- endif -%}
    {%- set current_seeds_hash = run_query(seeds_hash_sql()).rows[0][0] -%}
    {%- if state.get('models_checksum') != models_checksum()
        or current_seeds_hash != state['seeds_hash'] -%}
        {{- return({'changes_only': false}) -}}
    {%- endif -%}
    {{- return({'changes_only': true, 'since': state['raw_high_water']}) -}}
{%- endmacro %}

{#- Post-hook of every incremental model: remember the raw high water, the seeds' hash and the
    models' checksum in the table comment. -#}
{% macro save_incremental_state() -%}
    {%- if not execute -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set high_water = run_query(model_high_water_sql()).rows[0][0] -%}
    {%- set seeds_hash = run_query(seeds_hash_sql()).rows[0][0] -%}
    {%- set state = {
        'raw_high_water': high_water,
        'seeds_hash': seeds_hash,
        'models_checksum': models_checksum(),
    } -%}
    comment on table {{ this }} is '{{ tojson(state) }}'
{%- endmacro %}

{#- The SQL condition "this row's load time is after the remembered high water". -#}
{% macro loaded_since(column, plan) -%}
    {{ column }} > cast('{{ plan.since }}' as timestamptz)
{%- endmacro %}

{#- The partition vars of a replay (README.md, "Partition vars"): a condition on a local date
    column that is true on the window's days, or false when the run has no window. -#}
{% macro in_partition_window(date_column) -%}
    {%- set window_start = var('kpi_window_start', none) -%}
    {%- set window_end = var('kpi_window_end', none) -%}
    {%- if window_start and window_end -%}
        {{ date_column }} between cast('{{ window_start }}' as date)
            and cast('{{ window_end }}' as date)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}

{#- Staging post-hook: a raw row that no longer exists (deleted by hand, or by a repair) takes
    its staging row with it, as a full build would. Compares the key columns only (no JSON is
    read). `staged_keys` name the same keys in the staging model when it renamed them. -#}
{% macro delete_rows_missing_from_raw(raw_relation, raw_keys, staged_keys=none) -%}
    {%- set staged_keys = staged_keys if staged_keys is not none else raw_keys -%}
    delete from {{ this }} as staged
    where not exists (
        select 1 from {{ raw_relation }} as landed
        where {% for raw_key in raw_keys -%}
            landed.{{ raw_key }} = staged.{{ staged_keys[loop.index0] }}
            {{- " and " if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Strategy `replace_scope`: the model's incremental select returns the new rows of a set of
    scopes (its `unique_key`, e.g. channel + order_id) plus one marker row per scope
    (`_is_scope_marker = true`, every other column NULL), so that a scope whose rows all
    disappeared is still named. Every stored row of a named scope is deleted, then the new rows
    are inserted. dbt-duckdb's `merge` cannot express this (it has no "not matched by source"
    clause) and its `delete+insert` deletes only the keys present in the new rows. -#}
{% macro get_incremental_replace_scope_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = arg_dict['unique_key'] -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as stored
    using (select distinct {{ keys | join(', ') }} from {{ source }}) as scopes
    where {% for key in keys -%}
        stored.{{ key }} is not distinct from scopes.{{ key }}{{ " and " if not loop.last }}
    {%- endfor %};

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
    where _is_scope_marker is null
{%- endmacro %}

{#- The marker rows of `replace_scope`: one per scope of the `scopes` CTE, appended to the
    model's rows (`union all by name` fills every other column with NULL). -#}
{% macro scope_markers(scopes_cte, key_columns) -%}
    union all by name
    select distinct {{ key_columns | join(', ') }}, true as _is_scope_marker
    from {{ scopes_cte }}
{%- endmacro %}

{#- The orders (channel, order_id) whose Amazon order, Amazon items or Shopify order landed
    since the last build of the current model: the orders whose lines may have changed. -#}
{% macro orders_landed_since(plan) -%}
    select 'amazon' as channel, amazon_order_id as order_id
    from {{ ref('stg_amazon_sp__orders') }}
    where {{ loaded_since('loaded_at', plan) }}

    union

    select 'amazon' as channel, amazon_order_id as order_id
    from {{ ref('stg_amazon_sp__order_items') }}
    where {{ loaded_since('loaded_at', plan) }}

    union

    select 'shopify' as channel, order_id
    from {{ ref('stg_shopify__orders') }}
    where {{ loaded_since('loaded_at', plan) }}
{%- endmacro %}

{#- The orders of the current model (columns channel, order_id, currency_code, fx_rate,
    order_local_date) converted at a rate that is no longer the rate of their day (a restated
    rate, a day that had none). -#}
{% macro orders_with_stale_rates(rate_column='fx_rate', currency_column='currency_code') -%}
    select distinct stored.channel, stored.order_id
    from {{ this }} as stored
    left join {{ ref('int_fx_rates_daily') }} as fx_rates
        on stored.{{ currency_column }} = fx_rates.currency_code
        and stored.order_local_date = fx_rates.rate_date
    where stored.{{ currency_column }} <> '{{ var("reporting_currency") }}'
        and stored.{{ rate_column }} is distinct from fx_rates.rate
{%- endmacro %}

{#- The orders of the current model whose local day is in the partition window. -#}
{% macro orders_in_partition_window() -%}
    select distinct channel, order_id
    from {{ this }}
    where {{ in_partition_window('order_local_date') }}
{%- endmacro %}

{#- The profile days (profile_id, local_date) an Ads by-window model must rebuild: report rows
    landed since its last build (restated attribution included), rows whose profile now says
    another marketplace or currency, rows converted at a rate since restated, report rows gone
    from staging, and the replayed days. `report` is the staging model, `grain` its row key
    beside the profile and day (campaign_id, ad_id). -#}
{% macro ads_profile_days_to_rebuild(plan, report, grain) -%}
    select profile_id, report_date as local_date
    from {{ report }}
    where {{ loaded_since('loaded_at', plan) }}

    union

    select stored.profile_id, stored.local_date
    from {{ this }} as stored
    left join {{ ref('stg_amazon_ads__profiles') }} as profiles
        on stored.profile_id = profiles.profile_id
    left join {{ ref('int_fx_rates_daily') }} as fx_rates
        on profiles.currency_code = fx_rates.currency_code
        and stored.local_date = fx_rates.rate_date
    where stored.marketplace_id is distinct from profiles.marketplace_id
        or stored.currency_code is distinct from profiles.currency_code
        or (
            stored.currency_code <> '{{ var("reporting_currency") }}'
            and stored.fx_rate is distinct from fx_rates.rate
        )
        or {{ in_partition_window('stored.local_date') }}

    union

    select stored.profile_id, stored.local_date
    from {{ this }} as stored
    where not exists (
        select 1
        from {{ report }} as report_rows
        where report_rows.profile_id = stored.profile_id
            and report_rows.report_date = stored.local_date
            and report_rows.{{ grain }} = stored.{{ grain }}
    )
{%- endmacro %}
