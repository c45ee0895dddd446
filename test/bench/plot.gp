# Grouped bars of pods/s per workload for the four runs of test/bench/apiserver_bench.py.
# Called by the harness: gnuplot -e "datafile='...'; outfile='...'" test/bench/plot.gp
# datafile: a header line "workload raw raw+events kube-scheduler multisched", then one line per workload.
set terminal svg size 900,420 dynamic font "sans,11" background "white"
set output outfile
set title "Pods bound per second on one kube-apiserver (higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set ylabel "pods/s"
set yrange [0:*]
set grid ytics
set key outside top center horizontal
set xtics rotate by -20
plot datafile using 2:xtic(1) title columnheader(2) linecolor rgb "#bbbbbb", \
     '' using 3 title columnheader(3) linecolor rgb "#777777", \
     '' using 4 title columnheader(4) linecolor rgb "#4a7ebb", \
     '' using 5 title columnheader(5) linecolor rgb "#d9822b"
