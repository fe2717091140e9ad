package org.foliobench.workloads;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A parsed job file: its jobs in file order (fio starts them in this order; a {@code stonewall} job
 * waits for the ones before it).
 */
public final class JobFile {
    private final String name;
    private final List<JobSpec> jobs;

    public JobFile(String name, List<JobSpec> jobs) {
        this.name = name;
        this.jobs = List.copyOf(jobs);
    }

    /** The file name as given to the parser. */
    public String name() {
        return name;
    }

    /** All jobs, in file order. */
    public List<JobSpec> jobs() {
        return jobs;
    }

    /** The jobs that do IO, i.e. all but the {@code create_only} setup jobs, in file order. */
    public List<JobSpec> measuredJobs() {
        return jobs.stream().filter(j -> !j.createOnly()).collect(Collectors.toUnmodifiableList());
    }

    /** The job whose section is {@code [name]}. */
    public Optional<JobSpec> job(String sectionName) {
        return jobs.stream().filter(j -> j.name().equals(sectionName)).findFirst();
    }

    /** This file with every job {@linkplain JobSpec#scaledDown(int) scaled down} by {@code factor}. */
    public JobFile scaledDown(int factor) {
        return new JobFile(name, jobs.stream().map(j -> j.scaledDown(factor)).collect(Collectors.toList()));
    }

    @Override
    public String toString() {
        return name + " " + jobs;
    }
}
