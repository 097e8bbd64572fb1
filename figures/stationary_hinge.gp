# figures/stationary.gp for results/stationary_hinge (the hinge loss).
load 'figures/stationary.gp'
