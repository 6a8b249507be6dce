"""The maintained topic keyword map: which words and phrases mark a question or experience as DBMS, OS...

Edit freely: phrases are matched on stems after the same canonical folding as everything else, so
"normal forms", "normalisation" and "3NF" all count as normalization, and plurals need no entry.
Longer phrases win over shorter ones at the same place ("binary search tree" is a tree, not a search).
Keep topic names short (<= 40 characters, they are stored and drawn on charts).
"""

from __future__ import annotations

# Umbrella topic added whenever one of its sub-topics is found.
DSA = "DSA"
# The student's own work; the word before "project(s)" is its subject, not a topic (analytics.text).
PROJECTS = "Projects"

# Each topic maps to comma-separated words/phrases. Sub-topics of DSA come first, in priority order
# (earlier wins a tie when one topic is picked for a question).
DSA_KEYWORDS: dict[str, str] = {
    "Linked lists": """
        linked list, doubly linked list, link list, merge sorted lists, merge k sorted, reorder list, rotate
        list, partition list, copy list with random pointer, remove nth node, reverse nodes, flatten
        multilevel, add two numbers, swap nodes in pairs, odd even list, intersection of two


    """,
    "Trees & graphs": """
        tree, binary tree, bst, trie, prefix tree, graph, bfs, dfs, breadth first search, depth first search,
        traversal, inorder, preorder, postorder, level order, ancestor, lowest common ancestor, dijkstra,
        bellman ford, floyd warshall, shortest path, topological sort, union find, disjoint set, spanning
        tree, kruskal, prim, island, connected components, course schedule, word ladder, flood fill, rotting
        oranges, clone graph, maze, path sum, subtree, bipartite, network delay, cheapest flights, alien
        dictionary, serialize, deserialize, vertices, segment tree, fenwick, redundant connection, friend
        circles, provinces, binary lifting


    """,
    "Dynamic programming": """
        dynamic programming, memoization, memoize, tabulation, knapsack, longest common subsequence, longest
        increasing subsequence, edit distance, coin change, climbing stairs, house robber, unique paths, word
        break, matrix chain, partition equal subset, decode ways, burst balloons, buy and sell stock, jump
        game, longest subsequence, common subsequence, increasing subsequence, regular expression matching,
        wildcard matching, maximal square, minimum path sum, paint house, interleaving string, distinct
        subsequences, stone game, dungeon game, cherry pickup, egg drop, rod cutting, subset sum, perfect
        squares, ugly number, fibonacci, catalan


    """,
    "Stacks & queues": """
        stack, queue, deque, monotonic stack, parentheses, bracket, next greater element, min stack, infix,
        postfix, prefix expression, evaluate expression, basic calculator, asteroid collision, daily
        temperatures, histogram, trapping rain water, simplify path, decode string, remove k digits, stock
        span, sliding window maximum


    """,
    "Heaps": """
        heap, priority queue, top frequent, k closest points, kth largest, kth smallest, task scheduler,
        meeting rooms, min heap, max heap, heapify


    """,
    "Hashing": """
        hash, hashing, hash map, hashmap, hash table, hashset, hash set, lru cache, lfu cache, two sum, group
        anagrams, anagram, longest consecutive sequence, isomorphic, word pattern


    """,
    "Sorting & searching": """
        binary search, merge sort, quick sort, quicksort, heap sort, bubble sort, insertion sort, selection
        sort, counting sort, radix sort, search in rotated sorted array, peak element, first bad version,
        sqrt, square root, merge intervals, dutch national flag, sort colors, wiggle sort


    """,
    "Recursion & backtracking": """
        recursion, recursive, backtracking, permutation, generate combinations, generate subsets, power set, n
        queens, sudoku, generate parentheses, word search, letter combinations, palindrome partitioning,
        combination sum, gray code, restore ip addresses, tower of hanoi, rat in a maze


    """,
    "Greedy": """
        greedy, activity selection, gas station, candy, assign cookies, minimum platforms, job sequencing,
        fractional knapsack, huffman, non overlapping intervals, boats to save people


    """,
    "Math & bits": """
        bit manipulation, bitwise, xor, gcd, lcm, factorial, power of, pow, roman, excel sheet column, happy
        number, reverse integer, modulo, sieve, geometry, strobogrammatic, discrete math, discrete
        mathematics, discreet math, number theory, combinatorics


    """,
    "Arrays & strings": """
        array, arrays, subarray, string, strings, substring, palindrome, palindromic, prefix, suffix, two
        pointers, sliding window, prefix sum, kadane, matrix, grid, 2d, vowel, vowels, majority element,
        missing number, 3sum, 4sum, three sum, four sum, container with most water, spiral, transpose, move
        zeroes, strstr, camelcase, concatenation


    """,
}

# Generic words of coding-question titles ("Minimum Number of ...", "Count ... Pairs"): counted only in
# question texts, where they mean DSA; in a story ("minimum CGPA", "a bit nervous") they mean nothing.
QUESTION_ONLY_KEYWORDS: dict[str, str] = {
    "DSA": """
        game, iterator, board, winner, cards, deck, robot, simulation, path, paths, jump, kth, stones,
        keyboard, calendar, parser, expression, bulls and cows, fizz buzz, celebrity, skyline


    """,
    "System design": """
        design


    """,
    "Trees & graphs": """
        leaf, leaves, node, nodes, root, edges, diameter, sibling, cousins


    """,
    "Dynamic programming": """
        triangle


    """,
    "Heaps": """
        median


    """,
    "Hashing": """
        frequency, duplicate, dictionary, collision


    """,
    "Sorting & searching": """
        sort, sorting, sorted, search, interval, intervals


    """,
    "Math & bits": """
        bits, bit, prime, primes, digit, digits, integer, integers, multiply, divide, fraction, decimal,
        binary, base conversion, hamming, numbers, average, product of array, maximum product, square,
        rectangle, points, angle, coordinate, complement, divisor, divisible, sum of


    """,
    "Arrays & strings": """
        character, characters, word, words, sentence, rotate, rotation, duplicates, pairs, triplets, elements,
        element, longest, consecutive, equal, letter, letters, text, reverse, zero, zeros, ones, pattern,
        shuffle, rearrange, range, index, indices, sequence, encode, decode, compress, compression, split,
        partition, merge, intersection, union, target, pivot, valid, count, minimum, maximum, largest,
        smallest, closest, distance, frequent, unique, distinct, occurrence


    """,
    "C/C++": """
        c, vector


    """,
}

# Words that mean "data structures and algorithms" without naming a sub-topic.
DSA_GENERIC = """
        dsa, data structure, data structures, algorithm, algorithms, leetcode, competitive programming,
        codeforces, codechef, hackerrank, hackerearth, geeksforgeeks, gfg, interviewbit, time complexity,
        space complexity, big o notation, coding question, coding problem, coding round, coding test, brute
        force, optimize the solution, dry run, edge cases, online coding, online assessment


"""

# Everything that is not DSA, in priority order.
OTHER_KEYWORDS: dict[str, str] = {
    "DBMS": """
        dbms, database, databases, normalization, denormalization, acid, acid properties, transaction,
        transactions, indexing, btree, er diagram, entity relationship, primary key, foreign key, candidate
        key, super key, functional dependency, concurrency control, two phase locking, isolation level, nosql,
        mongodb, relational database, relational model, schema, keys in dbms, clustered index, data warehouse


    """,
    "SQL": """
        sql, mysql, postgresql, postgres, sql query, sql queries, inner join, outer join, left join, right
        join, sql join, types of join, join query, self join, groupby, orderby, having clause, nth highest
        salary, second highest salary, subquery, stored procedure, database trigger, sql trigger, window
        function, ddl, dml, select statement, plsql, where clause


    """,
    "OS": """
        os, process and thread, process vs thread, process scheduling, process synchronization, thread,
        threads, multithreading, deadlock, semaphore, mutex, paging, page fault, virtual memory, cpu
        scheduling, round robin, context switch, context switching, kernel, thrashing, race condition,
        critical section, banker algorithm, memory management, fragmentation, system call, starvation, thread
        synchronization, producer consumer, dining philosophers, segmentation, demand paging, cache memory,
        zombie process, child process, fork, interrupt, linux, unix, shell scripting


    """,
    "Networks": """
        computer networks, computer network, networking, tcp, udp, ip address, ip, osi, osi model, tcp ip,
        http, https, dns, subnet, subnetting, router, routing, mac address, three way handshake, handshake,
        arp, dhcp, ssl, tls, socket, sockets, what happens when you type, firewall, vpn, proxy, ipv4, ipv6,
        lan, wan, ftp, smtp, network protocol, network protocols, network layer, transport layer


    """,
    "OOP": """
        oop, oopconcept, polymorphism, inheritance, encapsulation, abstraction, abstract class, interface,
        interfaces, method overloading, method overriding, overloading, overriding, virtual function,
        constructor, destructor, design pattern, design patterns, singleton, factory pattern, observer
        pattern, solid principles, multiple inheritance, access modifier, access specifier, friend function,
        object oriented design, class diagram, uml


    """,
    "System design": """
        systemdesign, urlshortener, scalability, scalable, load balancer, load balancing, distributed cache,
        rate limiter, consistent hashing, sharding, cap theorem, microservice, microservices, high level
        design, low level design, hld, lld, message queue, kafka, design twitter, design whatsapp, design
        instagram, design uber, design netflix, design youtube, design facebook, design a chat, parking lot,
        elevator system, distributed system, distributed systems, replication, api gateway, cdn, rabbitmq,
        design a system, design an application, design bookmyshow, design splitwise, redis, throughput,
        latency


    """,
    "Puzzles": """
        puzzle, puzzles, riddle, water jug, burning rope, rope, egg, eggs, poisoned, poison, bulbs, horses,
        camel, bananas, balls, weighing, glasses, bridge and torch, hats, prisoners, pirates, clock hands


    """,
    "Projects": """
        project, projects, final year project, tech stack, github, hackathon, research paper, publication


    """,
    "HR": """
        hr, selfintro, whyhireyou, whyjoin, strengthweakness, fiveyearplan, relocate, relocation, salary
        expectation, expected ctc, ctc, notice period, hobbies, hobby, family background, teamwork, team
        player, leadership, conflict, behavioral, challenge you faced, greatest achievement, weakness,
        weaknesses, work pressure, night shift, night shifts, service bond, higher studies, tell me about a
        time, managerial, career goals, extracurricular, work life balance, location preference, questions
        about the company, company based questions, why this company, hr round, hr interview, hr questions,
        culture fit, company culture, hobbies and interests, position of responsibility, positions of
        responsibility


    """,
    "Aptitude": """
        aptitude, aptitute, quant, quants, quantitative, logical reasoning, verbal reasoning, reasoning
        ability, reasoning test, verbal ability, reading comprehension, cognitive test, cognitive ability,
        expected value, expected values, law of large numbers, percentage, percentages, time and work, time
        speed distance, speed and distance, profit and loss, probability, blood relation, blood relations,
        seating arrangement, data interpretation, amcat, cocubes, elitmus, mettl, number series, ratio and
        proportion, simple interest, compound interest, syllogism, english grammar


    """,
    "Machine learning": """
        machinelearning, deeplearning, neural network, neural networks, regression, logistic regression,
        linear regression, classification model, classification models, decision tree, random forest, svm,
        gradient descent, overfitting, underfitting, bias variance, clustering, kmeans, nlp, auc, roc curve,
        natural language processing, computer vision, cnn, rnn, lstm, transformer, transformers, pandas,
        numpy, scikit learn, sklearn, tensorflow, pytorch, keras, data science, feature engineering, confusion
        matrix, precision and recall, ai, artificial intelligence, llm, embeddings, statistics, hypothesis
        testing


    """,
    "Web": """
        html, css, javascript, react, angular, vue, nodejs, rest api, rest apis, api, apis, frontend, front
        end, backend, back end, full stack, fullstack, web development, web developer, django, flask, cookie,
        cookies, jwt, cors, dom, web app, typescript, graphql, mern, session storage, local storage,
        authentication, authorization


    """,
    "Java": """
        java, jvm, jdk, jre, garbage collection, garbage collector, collections framework, arraylist, string
        pool, final keyword, static keyword, exception handling, checked exception, spring boot, spring
        framework, hibernate, string builder, stringbuilder, java 8, streams api, servlet, jdbc


    """,
    "Python": """
        python, list comprehension, decorator, decorators, python generator, generator function, gil, lambda
        function, tuple, tuples, python list, pep8, pip


    """,
    "C/C++": """
        c++, pointer, pointers, malloc, calloc, stl, memory leak, segmentation fault, dangling pointer,
        struct, macro, macros, header file, smart pointer, virtual destructor, templates, storage classes,
        volatile


    """,
    "Cloud": """
        cloud, aws, azure, gcp, google cloud, docker, kubernetes, devops, ci cd, jenkins, terraform, ec2, s3,
        serverless, virtual machine, container, containers, containerization, cloud computing, iaas, paas,
        saas


    """,
    "Guesstimates & case studies": """
        guesstimate, guesstimates, guestimate, guestimates, market sizing, case study, case studies, case
        interview, case interviews, case round, case rounds, case solving, consulting case, business case,
        market entry, profitability, estimation question, estimate the number


    """,
    "Finance & economics": """
        finance, financial, economics, economy, macroeconomics, microeconomics, accounting, valuation, stock
        market, derivatives, option pricing, options pricing, black scholes, balance sheet, cash flow,
        interest rate, interest rates, inflation, monetary policy, corporate finance, investment banking,
        equity research, npv, dcf


    """,
    "Product management": """
        product management, product manager, product managers, product sense, product design, product case,
        product round, product questions, idea pitching, pitch an idea, pitch your idea, new feature, go to
        market, user persona, user personas, product roadmap, product metrics, prioritize features, improve
        the app, improve the product


    """,
    "Core engineering": """
        core engineering, core course, core courses, core subject, core subjects, electrical core, mechanical
        core, core knowledge, vlsi, verilog, vhdl, digital design, digital electronics, analog, analog
        electronics, static timing analysis, metastability, flip flop, shift register, shift registers, cmos,
        mosfet, semiconductor, semiconductors, circuit design, circuit analysis, digital circuits, analog
        circuits, microprocessor, microcontroller, embedded systems, control systems, signals and systems,
        power systems, power electronics, electrical machines, thermodynamics, heat transfer, fluid mechanics,
        strength of materials, machine design, manufacturing process, mechanical engineering questions,
        electrical engineering questions, chemical engineering questions, civil engineering questions,
        mechanical questions, electrical questions, blast furnace, materials testing, material
        characterization, materials characterization, characterization techniques, metallurgy, structural
        engineering, shear building


    """,
}

# Words that name a topic only in a sentence saying something was asked or discussed ("questions were
# based on my resume"); elsewhere they are about screening or advice ("your resume is the pitch").
WEAK_KEYWORDS: dict[str, str] = {
    "Projects": """
        resume, cv, internship, internships, intern

    """,
}

# When a question's text names no topic, the kind of round it was asked in may (lower-cased words).
ROUND_KIND_TOPICS: tuple[tuple[str, str], ...] = (
    ("system design", "System design"),
    ("design", "System design"),
    ("hr", "HR"),
    ("behavio", "HR"),
    ("manager", "HR"),
    ("cultur", "HR"),
    ("aptitude", "Aptitude"),
    ("puzzle", "Puzzles"),
    ("project", "Projects"),
    ("coding", DSA),
    ("online", DSA),
    ("oa", DSA),
    ("dsa", DSA),
    ("case", "Guesstimates & case studies"),  # a case interview (round kind "case_interview")
)

ALL_TOPICS: tuple[str, ...] = (DSA, *DSA_KEYWORDS, *OTHER_KEYWORDS)


def phrases(spec: str) -> list[str]:
    """The phrases of one comma-separated keyword entry, trimmed, blanks dropped."""
    return [p.strip() for p in spec.split(",") if p.strip()]
