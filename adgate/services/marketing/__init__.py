"""The Marketing API objects: one module per noun.

Campaigns, ad sets, ads (with ad review), ad creatives, custom audiences, insights and report
runs, the ad account a call touches, and the counts other parts of adgate read: active ads and
audiences for the business-use-case limits, approved and disapproved ads for the access review
(:mod:`adgate.services.marketing.counts`).
"""
