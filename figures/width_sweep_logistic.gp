# figures/width_sweep.gp for results/width_sweep_logistic (the logistic loss).
load 'figures/width_sweep.gp'
