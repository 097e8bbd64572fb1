# figures/stationary-gap.gp for results/stationary_hinge (the hinge loss).
load 'figures/stationary-gap.gp'
