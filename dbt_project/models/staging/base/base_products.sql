-- Every raw products row once, cleaned, with its bucket (clean, duplicate, quarantined) and, when
-- quarantined, one reason. A table so that stg_products and quarantine_products read the raw file
-- once.
{{ config(materialized='table') }}

{%- set raw_columns = ['product_id', 'product_name', 'category', 'brand', 'list_price'] %}
{%- set raw_columns_prefixed = raw_column_names(raw_columns) %}
{%- set raw_key = raw_columns_prefixed | join(', ') %}
{%- set limits = value_limits() %}

with source as (
    select * from {{ source('raw', 'products') }}
),

raw_text as (
    select {{ raw_text_columns(raw_columns) }}
    from source
),

cleaned as (
    select
        *,
        {{ clean_text('raw_product_id') }} as product_id,
        {{ collapse_whitespace(clean_text('raw_product_name')) }} as product_name,
        coalesce(
            lower({{ collapse_whitespace(clean_text('raw_category')) }}), 'unknown'
        ) as category,
        {{ collapse_whitespace(clean_text('raw_brand')) }} as brand,
        {{ clean_text('raw_list_price') }} as list_price_text,
        {{ try_cast_or_null(clean_text('raw_list_price'), 'decimal(18, 2)') }} as list_price,
        {{ try_cast_or_null(clean_text('raw_list_price'), 'double') }} as list_price_number
    from raw_text
),

quality as (
    select
        *,
        case
            when product_id is null then 'missing product_id'
            when abs(list_price_number) > {{ limits.unit_price }} then 'list_price out of range'
            {% if raw_data_has('list_price') -%}
                when list_price is null then 'invalid list_price'
            {%- else -%}
                when list_price_text is not null and list_price is null then 'invalid list_price'
            {%- endif %}
            when list_price < 0 then 'negative list_price'
        end as value_issue
    from cleaned
),

ranked as (
    -- Rows of one product_id, valid rows first, then by raw values (so exact copies sit
    -- together). Products carry no updated_at, so when two different valid records share a
    -- product_id the first is kept and the others are quarantined.
    select
        *,
        row_number() over (
            partition by product_id order by value_issue nulls first, {{ raw_key }}
        ) as key_number,
        {{ exact_copy_rank('product_id', 'value_issue nulls first, ' ~ raw_key) }} as copy_rank
    from quality
),

classified as (
    select
        *,
        key_number > copy_rank as is_exact_copy,
        coalesce(
            value_issue, case when key_number > 1 then 'duplicate product_id' end
        ) as quality_issue
    from ranked
),

bucketed as (
    select
        *,
        case
            when is_exact_copy then 'duplicate'
            when quality_issue is not null then 'quarantined'
            else 'clean'
        end as row_bucket
    from classified
),

final as (
    select
        {{- raw_text_unless_clean(raw_columns_prefixed) }}
        product_id,
        product_name,
        category,
        brand,
        list_price,
        row_bucket,
        case when not is_exact_copy then quality_issue end as reason
    from bucketed
)

select * from final
