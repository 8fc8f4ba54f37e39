Feature: Reaching customer care
  As a customer, or someone who has not registered yet, I ask for a call back, report a gas
  leak and get safety advice at once, or find the company's numbers.

  Scenario Outline: I ask for a call back about a topic
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Customer care"
    And I choose "Request a call back"
    Then I see "Call back about:"
    When I choose "<topic>"
    Then the session ends with a ticket number
    And I see "We will call you back soon"
    And I receive an SMS with that ticket number
    And staff see an open ticket about "<kind>" from me

    Examples:
      | topic                | kind        |
      | Order                | order       |
      | Payment              | payment     |
      | Underweight cylinder | underweight |
      | Leaking cylinder     | leaking     |
      | Damaged cylinder     | damaged     |
      | Delivery             | delivery    |
      | Other                | other       |

  Scenario: I see every call-back topic in order
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Customer care"
    Then I see these options in order:
      | 1. Request a call back |
      | 2. Report a gas leak   |
      | 3. Our numbers         |
    When I choose "Request a call back"
    Then I see these options in order:
      | 1. Order                |
      | 2. Payment              |
      | 3. Underweight cylinder |
      | 4. Leaking cylinder     |
      | 5. Damaged cylinder     |
      | 6. Delivery             |
      | 7. Other                |

  Scenario: I report a gas leak and am told what to do at once
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Customer care"
    And I choose "Report a gas leak"
    Then the session ends with "close the valve"
    And I see "No switches, flames"
    And I see "Open doors and windows"
    And I see "go outside"
    And I see "call 192 or 112"
    And I receive an SMS containing "GAS LEAK SAFETY"
    And I receive an SMS containing "Close the cylinder valve"
    And staff receive an SMS containing "URGENT gas leak reported by +233244000001"
    And staff see an urgent open ticket about "gas_leak" from me

  Scenario: I look up the company's numbers
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Customer care"
    And I choose "Our numbers"
    Then the session ends with "Demo Gas"
    And I see "Care: 0302 000 000"
    And I see "Emergency: 192"
    And I see "112"

  Scenario: Someone not registered reports a gas leak from the welcome screen
    Given I am not registered
    When I dial the service
    And I choose "Customer care"
    And I choose "Report a gas leak"
    Then the session ends with "close the valve"
    And I receive an SMS containing "GAS LEAK SAFETY"
    And staff receive an SMS containing "URGENT gas leak reported by +233244000001"

  Scenario: Someone not registered asks for a call back
    Given I am not registered
    When I dial the service
    And I choose "Customer care"
    And I choose "Request a call back"
    And I choose "Delivery"
    Then the session ends with a ticket number
    And I receive an SMS with that ticket number

  Scenario: Someone not registered looks up the numbers
    Given I am not registered
    When I dial the service
    And I choose "Customer care"
    And I choose "Our numbers"
    Then the session ends with "Care: 0302 000 000"
