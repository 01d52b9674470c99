// Command compose-check validates docker-compose.yml without a Docker engine: it loads the file with
// compose-go (the library Docker Compose itself uses) and checks the project's deployment invariants.
//
//	go -C tools/compose-check run . ../../docker-compose.yml
//
// Every problem is printed, one per line, then the command exits 1; it exits 0 with one "ok" line otherwise.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	projectDir := flag.String("project-directory", "", "directory relative paths resolve against (default: the compose file's)")
	emulatorEnv := flag.String("emulator-env-file", "deploy/emulator.env", "the env file of the offline stack, relative to the project directory")
	queues := flag.String("single-partition-queues", "tencent-batch-recovery-retry,tencent-batch-recovery-describe",
		"task queues the dynamic config must give one partition (src/shared/constants.ts)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: compose-check [flags] <docker-compose.yml>")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	composeFile, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail([]string{err.Error()})
	}
	dir := *projectDir
	if dir == "" {
		dir = filepath.Dir(composeFile)
	}
	if dir, err = filepath.Abs(dir); err != nil {
		fail([]string{err.Error()})
	}
	envFile := *emulatorEnv
	if !filepath.IsAbs(envFile) {
		envFile = filepath.Join(dir, envFile)
	}
	problems := check(context.Background(), Inputs{
		ComposeFile:           composeFile,
		ProjectDir:            dir,
		EmulatorEnvFile:       envFile,
		SinglePartitionQueues: splitList(*queues),
	})
	if len(problems) > 0 {
		fail(problems)
	}
	fmt.Printf("compose-check: %s ok (loaded with every profile, %s and real-cloud placeholders; invariants hold)\n",
		filepath.Base(composeFile), filepath.Base(envFile))
}

func fail(problems []string) {
	fmt.Fprintf(os.Stderr, "compose-check: %d problem(s):\n", len(problems))
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "  - %s\n", p)
	}
	os.Exit(1)
}

func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
