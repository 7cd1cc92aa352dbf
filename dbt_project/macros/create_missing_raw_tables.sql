{#-
    Run at the start of every dbt invocation (on-run-start): creates, empty, any raw table that
    no connector has landed yet, with exactly the columns of connectors/raw_tables.py
    (RawTable.ddl()). A seller without Shopify or Zendesk then still gets every mart, with no
    rows for that platform, instead of a failed build on a missing table. Existing tables are
    never touched. tests/dbt checks these statements against RawTable.ddl().
-#}
{% macro raw_table_key_columns() %}
    {{ return({
        'amazon_orders': ['amazon_order_id varchar'],
        'amazon_order_items': [
            'amazon_order_id varchar', 'order_item_id varchar', 'order_last_update_date varchar'
        ],
        'amazon_refund_events': [
            'amazon_order_id varchar', 'posted_at timestamptz', 'event_hash varchar'
        ],
        'amazon_inventory_summaries': [
            'snapshot_date date', 'marketplace_id varchar', 'seller_sku varchar'
        ],
        'amazon_inventory_ledger': [
            'ledger_date date', 'msku varchar', 'disposition varchar', 'location varchar',
            'marketplace_id varchar'
        ],
        'amazon_shipments': [
            'shipment_id varchar', 'shipment_item_id varchar', 'marketplace_id varchar'
        ],
        'amazon_ads_profiles': ['profile_id varchar'],
        'amazon_ads_sp_campaigns': [
            'profile_id varchar', 'report_date date', 'campaign_id varchar'
        ],
        'amazon_ads_sp_advertised_products': [
            'profile_id varchar', 'report_date date', 'ad_id varchar'
        ],
        'shopify_shops': ['shop_id varchar'],
        'shopify_orders': ['order_id varchar', 'shop_domain varchar'],
        'zendesk_tickets': ['ticket_id varchar'],
        'zendesk_ticket_comments': [
            'comment_id varchar', 'ticket_id varchar', 'ticket_generated_timestamp varchar'
        ],
        'zendesk_ticket_metrics': ['ticket_id varchar'],
        'zendesk_users': ['user_id varchar'],
        'fx_rates': ['base_currency varchar', 'rate_date date'],
    }) }}
{% endmacro %}

{% macro raw_table_ddl_statements() %}
    {% set landing_columns = [
        '_version timestamptz', '_record json', '_loaded_at timestamptz', '_run_id varchar'
    ] %}
    {% set statements = [] %}
    {% for table, columns in raw_table_key_columns().items() %}
        {% do statements.append(
            'create table if not exists raw.' ~ table
            ~ ' (' ~ (columns + landing_columns) | join(', ') ~ ')'
        ) %}
    {% endfor %}
    {{ return(statements) }}
{% endmacro %}

{% macro create_missing_raw_tables() %}
create schema if not exists raw;
{% for statement in raw_table_ddl_statements() %}
{{ statement }};
{% endfor %}
{% endmacro %}
