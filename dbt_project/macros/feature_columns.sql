{#- Category features are generated from the categories present in the data, at compile time. -#}

{% macro category_column_name(category) -%}
    {#- share_<category> with the name sanitised: lower case, runs of other characters as one '_'. -#}
    {%- set cleaned = modules.re.sub('[^a-z0-9]+', '_', category | string | lower).strip('_') -%}
    {{ return('share_' ~ (cleaned if cleaned else 'blank')) }}
{%- endmacro %}


{% macro category_columns() -%}
    {#- One dict per category in stg_products (null category counts as 'unknown'), sorted:
        {'category': value, 'column': share_<sanitised>}. Empty at parse time (execute is false) and while stg_products is not built.
        Two categories that sanitise to the same name: the later gets its position as a suffix.
        stg_products is referenced before anything else, so every model calling this depends on it. -#}
    {%- set products_model = ref('stg_products') -%}
    {%- if not execute or not raw_data_has('categories') -%}
        {{ return([]) }}
    {%- endif -%}
    {#- Not built yet (dbt compile or sqlfluff on a fresh warehouse): no category columns. -#}
    {%- set products = load_relation(products_model) -%}
    {%- if products is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select distinct coalesce(category, 'unknown') as category
        from {{ products }}
        order by 1
    {%- endset -%}
    {%- set categories = run_query(query).columns[0].values() -%}
    {%- set columns = [] -%}
    {%- set seen = [] -%}
    {%- for category in categories -%}
        {%- set name = category_column_name(category) -%}
        {%- if name in seen -%}
            {%- set name = name ~ '_' ~ loop.index -%}
        {%- endif -%}
        {%- do seen.append(name) -%}
        {%- do columns.append({'category': category, 'column': name}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}


{% macro feature_column_names() -%}
    {#- The columns of customer_feature_snapshots / customer_features, in order, including the
        generated share_<category> columns (only known when execute is true). -#}
    {%- set columns = [
        'customer_id', 'as_of_date', 'cutoff_role', 'first_order_date', 'last_order_date',
        'recency_days', 'tenure_days', 'frequency', 'monetary', 'aov', 'orders_per_month',
        'avg_days_between_orders', 'spend_last_30d', 'spend_last_90d', 'spend_last_365d',
        'orders_last_90d', 'clv_historical', 'return_rate', 'discount_share', 'online_share',
        'distinct_categories', 'favourite_category'] -%}
    {%- for column in category_columns() -%}
        {%- do columns.append(column.column) -%}
    {%- endfor -%}
    {%- do columns.extend([
        'gender', 'age', 'age_band', 'city', 'loyalty_tier',
        'r_score', 'f_score', 'm_score', 'rfm_score', 'rfm_segment']) -%}
    {{ return(columns) }}
{%- endmacro %}
