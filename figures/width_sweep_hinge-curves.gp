# figures/width_sweep-curves.gp for results/width_sweep_hinge (the hinge loss).
load 'figures/width_sweep-curves.gp'
