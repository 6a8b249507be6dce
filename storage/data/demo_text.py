"""Hand-written demo text: interview question banks (with paraphrases), sentence fragments and names."""

from __future__ import annotations

# Each group is one question asked in different words, so FAQ grouping has something to group.
# Keyed by a rough area; the seed picks areas by company kind and role.
TECHNICAL: dict[str, tuple[tuple[str, ...], ...]] = {
    "dbms": (
        (
            "Explain normalization in DBMS",
            "What is normalisation? Explain 1NF 2NF 3NF",
            "Why do we normalize a database? Explain the normal forms with an example",
        ),
        (
            "What are ACID properties?",
            "Explain ACID properties of a transaction",
            "What does ACID stand for in DBMS?",
        ),
        (
            "Difference between primary key and unique key",
            "Primary key vs unique key vs candidate key",
        ),
        (
            "What is indexing in DBMS and how does a B+ tree index work?",
            "How do indexes speed up queries? Explain B+ trees",
        ),
        (
            "Difference between DELETE, TRUNCATE and DROP",
            "DELETE vs TRUNCATE vs DROP in SQL",
        ),
        (
            "What is a deadlock in a database and how is it handled?",
            "Explain concurrency control: two-phase locking",
        ),
        (
            "SQL vs NoSQL databases: when would you use which?",
            "Difference between SQL and NoSQL databases",
        ),
    ),
    "sql": (
        (
            "Write a SQL query to find the second highest salary",
            "Find the 2nd highest salary from the Employee table",
            "SQL query for Nth highest salary",
        ),
        (
            "Explain the different types of SQL joins",
            "Inner join vs left join vs right join vs full outer join",
            "What are joins in SQL? Give examples",
        ),
        (
            "Difference between WHERE and HAVING",
            "When do you use HAVING instead of WHERE?",
        ),
        (
            "Write a query to find duplicate emails in a table",
            "How do you find duplicate rows in SQL?",
        ),
        (
            "What are window functions? Explain RANK vs DENSE_RANK",
            "Difference between RANK, DENSE_RANK and ROW_NUMBER",
        ),
    ),
    "os": (
        (
            "What is a deadlock? What are the necessary conditions for deadlock?",
            "Explain deadlock and the four Coffman conditions",
            "How can deadlock be prevented or avoided? Explain Banker's algorithm",
        ),
        (
            "Explain paging in operating systems",
            "What is paging and why is it used?",
            "Paging vs segmentation",
        ),
        (
            "Difference between a process and a thread",
            "Process vs thread",
            "What is a thread and how is it different from a process?",
        ),
        (
            "What is virtual memory?",
            "Explain virtual memory and page faults",
            "What is thrashing?",
        ),
        (
            "Explain CPU scheduling algorithms",
            "Compare FCFS, SJF and Round Robin scheduling",
        ),
        (
            "What is a semaphore? Mutex vs semaphore",
            "Difference between mutex and semaphore",
        ),
        (
            "What happens when you turn on a computer? Explain the boot process",
            "Explain the booting process of an OS",
        ),
    ),
    "networks": (
        (
            "Difference between TCP and UDP",
            "TCP vs UDP, with examples of where each is used",
            "Why is TCP reliable and UDP not?",
        ),
        (
            "Explain the OSI model",
            "What are the 7 layers of the OSI model?",
            "OSI model vs TCP/IP model",
        ),
        (
            "What happens when you type a URL in the browser?",
            "Explain everything that happens after you enter google.com in a browser",
        ),
        (
            "What is DNS and how does it work?",
            "Explain how DNS resolution works",
        ),
        (
            "Explain the TCP three-way handshake",
            "How is a TCP connection established?",
        ),
        (
            "Difference between HTTP and HTTPS",
            "How does HTTPS keep data secure?",
        ),
        (
            "What is subnetting? Find the subnet mask for a given network",
            "Explain IP addressing and subnet masks",
        ),
    ),
    "oop": (
        (
            "What are the four pillars of OOP?",
            "Explain the pillars of object oriented programming with examples",
            "Explain OOPs concepts",
        ),
        (
            "Difference between method overloading and overriding",
            "Overloading vs overriding",
            "What is polymorphism? Compile time vs run time",
        ),
        (
            "Abstract class vs interface",
            "Difference between an abstract class and an interface in Java",
        ),
        (
            "What is a virtual function in C++?",
            "Explain virtual functions and vtables",
        ),
        (
            "What are the SOLID principles?",
            "Explain SOLID design principles",
        ),
    ),
    "language": (
        (
            "Difference between C and C++",
            "C vs C++: what does C++ add?",
        ),
        (
            "Why is Java platform independent?",
            "Explain JVM, JRE and JDK",
            "What is the difference between JDK, JRE and JVM?",
        ),
        (
            "What is garbage collection in Java?",
            "How does garbage collection work in Java?",
        ),
        (
            "What is a pointer? Pointer vs reference",
            "Difference between pointers and references in C++",
        ),
        (
            "Difference between list and tuple in Python",
            "List vs tuple in Python",
        ),
        (
            "What are decorators in Python?",
            "Explain Python decorators with an example",
        ),
        (
            "What is the output of this C snippet with i++ and ++i?",
            "Predict the output of a C program with pre and post increment",
        ),
    ),
    "dsa_theory": (
        (
            "Difference between array and linked list",
            "Array vs linked list: when to use which?",
        ),
        (
            "What is a hash map and how does it handle collisions?",
            "Explain hashing and collision resolution",
        ),
        (
            "Explain time complexity of quick sort and merge sort",
            "Quick sort vs merge sort",
            "Which sorting algorithm is best and why?",
        ),
        (
            "Reverse a linked list",
            "Write code to reverse a singly linked list",
        ),
        (
            "Explain BFS and DFS",
            "Difference between BFS and DFS traversal",
        ),
        (
            "What is dynamic programming?",
            "Explain dynamic programming with the Fibonacci example",
        ),
        (
            "Check if a string is a palindrome",
            "Write a program to check for a palindrome",
        ),
        (
            "Implement a stack using queues",
            "Stack using two queues",
        ),
    ),
    "system_design": (
        (
            "Design a URL shortener",
            "System design of a URL shortening service like bit.ly",
            "How would you design TinyURL?",
        ),
        (
            "Design a parking lot system",
            "Low level design of a parking lot",
        ),
        (
            "Design an LRU cache",
            "Implement LRU cache",
        ),
        (
            "How would you design a rate limiter?",
            "Design an API rate limiter",
        ),
        (
            "Design a chat application like WhatsApp",
            "High level design of a messaging app",
        ),
        (
            "What is load balancing? How would you scale a web app?",
            "Explain horizontal vs vertical scaling",
        ),
    ),
    "projects": (
        (
            "Explain your final year project",
            "Tell me about your project in detail",
            "Walk me through your best project",
        ),
        (
            "What challenges did you face in your project and how did you solve them?",
            "What was the hardest bug in your project?",
        ),
        (
            "Explain your internship work",
            "What did you do in your internship?",
        ),
        (
            "Why did you choose this tech stack for your project?",
            "Why React and Node for your project?",
        ),
    ),
    "puzzles": (
        (
            "Puzzle: 25 horses, 5 tracks, find the fastest 3",
            "25 horses puzzle",
        ),
        (
            "Puzzle: measure 4 litres using 3 and 5 litre jugs",
            "Water jug puzzle",
        ),
        (
            "Puzzle: two eggs and 100 floors",
            "Egg dropping puzzle",
        ),
        (
            "Puzzle: 8 balls, one heavier, find it in two weighings",
            "Find the heavier ball with a balance",
        ),
        (
            "Puzzle: burning ropes to measure 45 minutes",
            "Two ropes burn in an hour each, measure 45 minutes",
        ),
    ),
    "web": (
        (
            "What is REST? Explain REST API methods",
            "Difference between GET and POST",
            "What makes an API RESTful?",
        ),
        (
            "Explain cookies vs sessions vs local storage",
            "How do you maintain a user session on a website?",
        ),
        (
            "What is the difference between git merge and git rebase?",
            "Explain git rebase",
        ),
        (
            "What is Docker and why use containers?",
            "Containers vs virtual machines",
        ),
    ),
    "cloud": (
        (
            "What is cloud computing? IaaS vs PaaS vs SaaS",
            "Explain IaaS, PaaS and SaaS with examples",
        ),
        (
            "What are the latest technologies you know about?",
            "What do you know about AI, cloud and IoT?",
        ),
    ),
    "data": (
        (
            "Explain the bias-variance tradeoff",
            "What is overfitting and how do you prevent it?",
            "Overfitting vs underfitting",
        ),
        (
            "Explain precision, recall and F1 score",
            "When is accuracy a bad metric?",
        ),
        (
            "How does a random forest work?",
            "Decision tree vs random forest",
        ),
        (
            "Explain logistic regression",
            "Why is logistic regression called regression?",
        ),
        (
            "What is a p-value?",
            "Explain hypothesis testing and p-values",
        ),
        (
            "How would you estimate the number of cars in Bangalore?",
            "Guesstimate: number of petrol pumps in India",
            "Guesstimate: how many cups of tea are sold in a day in Delhi?",
        ),
        (
            "Case study: sales of a product dropped 20% last month, how would you analyse it?",
            "Case study: why did app downloads fall?",
        ),
    ),
    "electronics": (
        (
            "Explain the working of a MOSFET",
            "Difference between BJT and MOSFET",
        ),
        (
            "What is a flip-flop? Explain D and JK flip-flops",
            "Latch vs flip-flop",
        ),
        (
            "Explain setup time and hold time",
            "What is a setup and hold violation?",
        ),
        (
            "What is the difference between a microprocessor and a microcontroller?",
            "Microprocessor vs microcontroller",
        ),
        (
            "Explain the working of a transformer",
            "Why is a transformer rated in kVA and not kW?",
        ),
        (
            "What is a PLC and where is it used?",
            "Explain PLC and SCADA",
        ),
    ),
    "mechanical": (
        (
            "Explain the working of a four-stroke engine",
            "Difference between two-stroke and four-stroke engines",
        ),
        (
            "Difference between stress and strain",
            "Draw the stress-strain curve for mild steel",
        ),
        (
            "Explain Bernoulli's theorem",
            "State Bernoulli's principle and its applications",
        ),
        (
            "What are the laws of thermodynamics?",
            "Explain the second law of thermodynamics",
        ),
        (
            "Explain the different types of welding",
            "Arc welding vs gas welding",
        ),
    ),
    "civil": (
        (
            "What are the types of cement and their uses?",
            "Which grade of cement is used for RCC?",
        ),
        (
            "What is the difference between one-way and two-way slabs?",
            "One way slab vs two way slab",
        ),
        (
            "Explain the slump test of concrete",
            "How do you test the workability of concrete?",
        ),
        (
            "What is curing and why is it important?",
            "How long should concrete be cured?",
        ),
    ),
}

# Which technical areas each kind of company leans on (area, weight).
AREAS_BY_KIND: dict[str, tuple[tuple[str, int], ...]] = {
    "service": (
        ("oop", 22),
        ("dbms", 18),
        ("sql", 10),
        ("language", 16),
        ("os", 10),
        ("networks", 8),
        ("projects", 20),
        ("cloud", 8),
        ("dsa_theory", 10),
        ("web", 4),
    ),
    "consulting": (
        ("projects", 20),
        ("dbms", 12),
        ("sql", 14),
        ("oop", 10),
        ("cloud", 12),
        ("data", 12),
        ("web", 6),
    ),
    "product": (
        ("dsa_theory", 25),
        ("os", 14),
        ("dbms", 12),
        ("networks", 10),
        ("oop", 10),
        ("system_design", 16),
        ("projects", 12),
        ("puzzles", 4),
        ("web", 4),
    ),
    "finance": (
        ("dsa_theory", 22),
        ("os", 10),
        ("dbms", 10),
        ("sql", 8),
        ("oop", 12),
        ("system_design", 10),
        ("puzzles", 14),
        ("projects", 10),
        ("language", 6),
    ),
    "core": (
        ("mechanical", 20),
        ("electronics", 20),
        ("civil", 14),
        ("projects", 22),
        ("language", 6),
        ("puzzles", 4),
    ),
    "analytics": (
        ("data", 34),
        ("sql", 24),
        ("puzzles", 14),
        ("projects", 16),
        ("dbms", 6),
    ),
}

# Core firms ask engineering questions of the candidate's own branch.
AREAS_BY_BRANCH: dict[str, str] = {
    "MECH": "mechanical",
    "CIVIL": "civil",
    "EEE": "electronics",
    "ECE": "electronics",
}

HR: tuple[tuple[str, ...], ...] = (
    (
        "Tell me about yourself",
        "Introduce yourself",
        "Tell me something about yourself that is not in your resume",
    ),
    ("Why do you want to join {company}?", "Why {company}?", "Why should {company} hire you?"),
    (
        "Where do you see yourself in five years?",
        "Where do you see yourself in 5 years?",
        "What are your long term career goals?",
    ),
    ("What are your strengths and weaknesses?", "What is your biggest weakness?"),
    ("What do you know about {company}?", "Tell me what {company} does"),
    ("Are you willing to relocate?", "Are you open to relocating to any city?"),
    ("Why should we hire you?", "Why should we select you over other candidates?"),
    ("Do you have any questions for us?",),
    ("Tell me about your hobbies", "What do you do in your free time?"),
    ("Tell me about a time you showed leadership", "Describe a situation where you led a team"),
    ("How do you handle pressure and deadlines?", "How do you handle stress?"),
    ("What are your salary expectations?",),
)

HR_SERVICE: tuple[tuple[str, ...], ...] = (
    ("Are you comfortable working in night shifts?", "Are you okay with rotational shifts?"),
    ("Are you okay with the service agreement?", "Are you ready to sign the bond?"),
    ("Do you have any backlogs?",),
    ("Why IT when your branch is {branch}?", "Why do you want to switch from {branch} to software?"),
)

MANAGERIAL: tuple[tuple[str, ...], ...] = (
    (
        "Describe a conflict in your team and how you resolved it",
        "Tell me about a disagreement with a teammate",
    ),
    ("Tell me about a time you failed", "Describe a failure and what you learned from it"),
    ("How would you handle a tight deadline with incomplete requirements?",),
    ("Explain your project to a non-technical person", "Explain your project as if I were a client"),
    ("Tell me about a time you went beyond what was asked", "Describe your proudest achievement"),
    ("A client is unhappy with your delivery. What do you do?", "How would you deal with an angry client?"),
    ("Why did you choose engineering?",),
)

GROUP_DISCUSSION: tuple[tuple[str, ...], ...] = (
    ("GD topic: Is AI a threat to jobs?", "Group discussion on artificial intelligence and employment"),
    ("GD topic: Work from home vs work from office",),
    ("GD topic: Electric vehicles in India", "GD: Are EVs the future of Indian transport?"),
    ("GD topic: Impact of social media on youth",),
    ("GD topic: Cryptocurrency, boon or bane?",),
    ("GD topic: Should India host the Olympics?",),
    ("GD topic: Online education vs classroom learning",),
    ("GD topic: Startups vs MNCs for freshers",),
)

APTITUDE: tuple[tuple[str, ...], ...] = (
    ("Quantitative aptitude: time and work, profit and loss, percentages",),
    (
        "Aptitude section: time speed distance and probability questions",
        "Quant: speed, distance and probability",
    ),
    ("Logical reasoning: seating arrangement, blood relations and coding-decoding",),
    ("Verbal ability: reading comprehension, sentence correction and para jumbles",),
    ("MCQs on C output, OOPs, DBMS and OS", "Technical MCQs on CS fundamentals"),
    ("Pseudo code MCQs", "Pseudocode output prediction questions"),
    ("Essay writing: 200 words on a given topic", "Email writing task"),
    ("Numerical ability and data interpretation from charts",),
)

# Easy programs a service-company assessment asks, in the students' own words.
EASY_CODING: tuple[tuple[str, ...], ...] = (
    ("Print the Fibonacci series up to n", "Write a program for the Fibonacci series"),
    ("Check whether a number is prime", "Print all prime numbers in a range"),
    ("Reverse a string without using library functions",),
    ("Count vowels and consonants in a string",),
    ("Find the second largest element in an array",),
    ("Check whether a number is an Armstrong number",),
    ("Sort an array of 0s, 1s and 2s",),
    ("Rotate an array by k positions",),
    ("Find the sum of digits of a number",),
    ("Remove duplicates from a sorted array",),
)

PREP_OPENERS: tuple[str, ...] = (
    "I started preparing about {months} months before the placement season.",
    "My preparation for {company} took roughly {months} months.",
    "I began serious preparation in my {semester} semester.",
    "Honestly I prepared for around {months} months, mostly on weekends.",
    "I had {months} months to prepare after my internship ended.",
    "Preparation started about {months} months before the drive.",
)
PREP_DSA: tuple[str, ...] = (
    "I solved around {problems} problems on LeetCode, mostly mediums.",
    "I followed Striver's SDE sheet end to end and revised it twice.",
    "I did the Striver A2Z sheet topic by topic and kept notes of patterns.",
    "GFG practice problems helped me a lot, especially the company-wise tags.",
    "I solved the top {company} tagged questions on LeetCode in the last two weeks.",
    "I practised on Codeforces and CodeChef for speed, which helped in the online assessment.",
    "I used InterviewBit for arrays, strings and DP.",
    "Love Babbar's 450 DSA sheet was my main checklist.",
)
PREP_CORE: tuple[str, ...] = (
    "For CS fundamentals I revised DBMS, OS and computer networks from GFG articles.",
    "I revised OOPs concepts and SQL queries from notes I made in college.",
    "I watched Gate Smashers videos for OS and DBMS.",
    "I read my core subject notes again since {company} asks branch questions.",
    "I practised aptitude on IndiaBix and PrepInsta every day.",
    "I brushed up on SQL joins and window functions on HackerRank.",
    "I revised statistics and machine learning basics and did a couple of Kaggle notebooks.",
)
PREP_PRACTICE: tuple[str, ...] = (
    "Mock interviews with seniors and friends were the most useful part.",
    "I gave a few mock interviews on Pramp to get used to thinking aloud.",
    "I prepared my projects thoroughly because the interviewers went deep into them.",
    "I kept a one-page resume and could explain every line of it.",
    "I read previous interview experiences of {company} on GFG and here.",
    "I practised the HR questions in front of a mirror and recorded myself.",
    "I prepared a short story for each project: problem, my part, result.",
)

TIP_GENERAL: tuple[str, ...] = (
    "Think aloud during coding; the interviewer cares about your approach more than the final code.",
    "Be honest when you do not know something, they appreciate it.",
    "Know your resume inside out, every project and every technology you list.",
    "Revise CS fundamentals, they are asked even in coding-heavy interviews.",
    "Do not panic if the first round goes badly, the rounds are evaluated together.",
    "Ask clarifying questions before you start writing code.",
    "Start with the brute force solution, then optimise step by step.",
    "Keep your introduction short and crisp, under a minute.",
    "Research {company} before the HR round: products, values and recent news.",
    "Time management in the online assessment matters more than solving everything.",
    "Practise writing code on paper or in a plain editor without autocomplete.",
    "Stay calm and keep talking; silence makes it hard for them to help you.",
)
REFLECTION_SELECTED: tuple[str, ...] = (
    "Overall it was a good experience and the interviewers were friendly.",
    "I was really happy to get the offer from {company}.",
    "The process was smooth and results came out within a week.",
    "The interviewers were supportive and gave hints when I was stuck.",
)
REFLECTION_REJECTED: tuple[str, ...] = (
    "I could not solve the second problem optimally and did not make it.",
    "I got nervous in the technical round and it showed.",
    "I think my fundamentals were not strong enough for {company}.",
    "I was rejected after the final round, but I learned a lot from the process.",
    "The bar was high and I should have practised more mediums under time pressure.",
)
REFLECTION_PENDING: tuple[str, ...] = (
    "Results are still awaited, I will update this post.",
    "It has been a couple of weeks and the result is still pending.",
)
REFLECTION_WITHDREW: tuple[str, ...] = (
    "I withdrew after getting another offer earlier in the season.",
    "I dropped out before the final round because of a clash with another company's drive.",
)

ROLE_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "service": (
        "Entry-level software role with three months of training before project allocation.",
        "Trainee role; training at the learning centre, then posted to a client project.",
        "Fresher role in application development and maintenance.",
    ),
    "consulting": (
        "Analyst role in the technology consulting practice.",
        "Business technology analyst working with clients on ERP and cloud projects.",
    ),
    "product": (
        "Software development role in a product team, backend heavy.",
        "Full-time SDE role in the Bengaluru office working on internal platforms.",
        "Two-month summer internship with a pre-placement offer on performance.",
        "Role in the India development centre, mostly distributed systems.",
    ),
    "finance": (
        "Technology analyst building trading and risk platforms.",
        "Summer internship in the engineering division with a PPO on conversion.",
    ),
    "core": (
        "Graduate engineer trainee with a one-year rotation across sites.",
        "GET role in design and manufacturing.",
        "Trainee in the plant's maintenance and quality teams.",
    ),
    "core_software": (
        "Embedded software role in the engineering centre.",
        "Software role building tools for the engineering and manufacturing teams.",
    ),
    "analytics": (
        "Analytics role solving business problems for retail and pharma clients.",
        "Data science role building models for client engagements.",
    ),
}

FIRST_NAMES: tuple[str, ...] = (
    "Aarav", "Aditi", "Aditya", "Akash", "Ananya", "Anjali", "Arjun", "Aryan", "Ayesha", "Bhavya",
    "Chetan", "Deepak", "Deepika", "Divya", "Farhan", "Gaurav", "Harini", "Harsh", "Ishaan", "Ishita",
    "Karthik", "Kavya", "Keerthana", "Krishna", "Lakshmi", "Manish", "Meera", "Mohit", "Nandini", "Neha",
    "Nikhil", "Pooja", "Pranav", "Priya", "Rahul", "Rajesh", "Ravi", "Riya", "Rohan", "Sahil",
    "Sai", "Sakshi", "Sanjana", "Shreya", "Siddharth", "Sneha", "Srinivas", "Swathi", "Tanvi", "Tarun",
    "Utkarsh", "Varun", "Vikram", "Vishal", "Yash", "Zoya", "Abhishek", "Amrita", "Gayathri", "Imran",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "Sharma", "Verma", "Gupta", "Singh", "Kumar", "Reddy", "Rao", "Iyer", "Nair", "Menon",
    "Patel", "Shah", "Mehta", "Joshi", "Kulkarni", "Deshpande", "Chatterjee", "Banerjee", "Das", "Ghosh",
    "Mukherjee", "Pillai", "Naidu", "Choudhary", "Yadav", "Mishra", "Pandey", "Tiwari", "Agarwal", "Jain",
    "Khan", "Ahmed", "Fernandes", "D'Souza", "Bhat", "Hegde", "Shetty", "Krishnan", "Subramanian", "Saxena",
)  # fmt: skip

# Roll-number branch codes (2-4 capital letters, as the config pattern requires).
ROLL_CODES: dict[str, tuple[str, ...]] = {
    "CSE": ("CSE", "CS"),
    "IT": ("IT",),
    "ECE": ("ECE", "EC"),
    "EEE": ("EEE", "EE"),
    "MECH": ("MECH", "ME"),
    "CIVIL": ("CE", "CIV"),
    "DS": ("DS", "CSD"),
    "AIML": ("AIML", "AI"),
    "Other": ("CH", "BT", "MME"),
}
