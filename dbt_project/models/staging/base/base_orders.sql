-- Every raw orders row once, as text (raw_<column>) and cleaned: trimmed, parsed, lower-cased.
-- Classified in int_orders_classified, whose rules need the customers (test accounts).
{%- set raw_columns = [
    'order_id', 'customer_id', 'store', 'channel', 'order_ts', 'status', 'updated_at',
] %}

with source as (
    select * from {{ source('raw', 'orders') }}
),

raw_text as (
    select {{ raw_text_columns(raw_columns) }}
    from source
),

cleaned as (
    select
        *,
        {{ clean_text('raw_order_id') }} as order_id,
        {{ clean_text('raw_customer_id') }} as customer_id,
        {{ collapse_whitespace(clean_text('raw_store')) }} as store,
        {% if raw_data_has('channel') -%}
            lower({{ clean_text('raw_channel') }}) as channel,
        {%- else -%}
            coalesce(lower({{ clean_text('raw_channel') }}), 'unknown') as channel,
        {%- endif %}
        {{ clean_text('raw_order_ts') }} as order_ts_text,
        {{ parse_timestamp(clean_text('raw_order_ts')) }} as ordered_at,
        lower({{ clean_text('raw_status') }}) as status,
        {{ clean_text('raw_updated_at') }} as updated_at_text,
        {{ parse_timestamp(clean_text('raw_updated_at')) }} as updated_at
    from raw_text
),

final as (
    select * from cleaned
)

select * from final
