# The figure of figures/generalization-time.gp for the Fashion-MNIST run (configs/full/generalization_fmnist.yaml).
load 'figures/generalization-time.gp'
