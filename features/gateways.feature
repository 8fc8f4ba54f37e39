Feature: The same line through every aggregator
  Whichever aggregator carries my call (Africa's Talking, Hubtel, Arkesel or Nalo), I see the
  same screens, with the same numbers, within what my aggregator can show, and every journey
  works the same way. The line knows my network from the aggregator and marks my own
  mobile-money option. Dialling a deeper code such as *384*303*2# opens that option at once.

  Scenario Outline: Every journey works through <gateway>
    Given I call through "<gateway>" on the "<network>" network
    And I am not registered
    # registration
    When I dial the service
    Then the screen starts with "Welcome to Demo Gas"
    When I choose "Register"
    And I enter "Ama", "Mensah", "Accra", "GA-183-8164", "4826", "4826"
    Then I see "Ama Mensah, Accra, GA-183-8164"
    When I choose "Confirm"
    Then the session ends, page by page, with "will be verified"
    And I receive an SMS containing "registration was received"
    When I dial the service
    Then the session ends, page by page, with "under review"
    # the verified main menu
    When staff verify my registration
    And I dial the service
    Then the screen starts with "Hi Ama"
    And I see these options in order on the line:
      | 1. Make deposit    |
      | 2. Order status    |
      | 3. Account balance |
      | 4. Customer care   |
      | 5. Refill gas      |
      | 6. My account      |
    # a cylinder deposit by mobile money, confirmed by the provider
    When I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "6kg steel"
    Then I see "Total GHS 234.00"
    When I choose "Confirm"
    Then I see "Pay GHS 234.00 with:"
    And the payment menu marks "<mine>" as my network
    When I choose "<mine>"
    Then the session ends, page by page, with "Approve the GHS 234.00 prompt from Demo Gas"
    And 1 payment request was sent
    When I open my latest order
    Then I see "Awaiting payment"
    And I see "Do not pay again"
    When the mobile money provider confirms the payment
    Then I receive an SMS containing "payment of GHS 234.00 received for order"
    When I open my latest order
    Then I see "Paid GHS 234.00"
    And I do not see "Payment pending"
    # a wallet top-up, credited when the provider confirms
    When I go to the main menu
    And I choose "Make deposit"
    And I choose "Top up wallet"
    And I enter "300"
    Then I see "Top up GHS 300.00 to your wallet"
    When I choose "Confirm"
    And I choose "Telecel Cash"
    Then the session ends, page by page, with "Approve the GHS 300.00 prompt"
    When the mobile money provider confirms the payment
    Then I receive an SMS containing "GHS 300.00 added to your wallet. Balance GHS 300.00."
    # order status and cancelling: what was paid goes back to the wallet
    When I open my latest order
    And I choose "Cancel order"
    And I enter "4826"
    Then the session ends, page by page, with "cancelled. GHS 234.00 refunded to your wallet."
    # the balance
    When I go to the main menu
    And I choose "Account balance"
    And I enter "4826"
    Then the session ends, page by page, with "Wallet: GHS 534.00"
    # customer care: a call back, then a gas leak
    When I go to the main menu
    And I choose "Customer care"
    And I choose "Request a call back"
    And I choose "Delivery"
    Then the session ends, page by page, with "We will call you back soon"
    When I go to the main menu
    And I choose "Customer care"
    And I choose "Report a gas leak"
    Then the session ends, page by page, with "call 192 or 112"
    And I receive an SMS containing "GAS LEAK SAFETY"
    And staff receive an SMS containing "URGENT gas leak reported by +233244000001"
    # a refill paid from the wallet
    When I go to the main menu
    And I choose "Refill gas"
    And I choose "3kg steel"
    And I choose "Confirm"
    And I choose "Wallet"
    And I enter "4826"
    Then the session ends, page by page, with "Paid GHS 42.00 from your wallet"
    # my account: a new PIN, then a new address
    When I go to the main menu
    And I choose "My account"
    And I choose "Change PIN"
    And I enter "4826", "3958", "3958"
    Then the session ends, page by page, with "Your PIN has been changed."
    And I receive an SMS containing "your PIN was changed"
    When I go to the main menu
    And I choose "My account"
    And I choose "Change address"
    And I enter "Tema", "gt 038 5028"
    Then the session ends, page by page, with "Your address is now Tema, GT-038-5028."
    And I receive an SMS containing "your address is now Tema, GT-038-5028"
    When I go to the main menu
    And I choose "Account balance"
    And I enter "3958"
    Then the session ends, page by page, with "Wallet: GHS 492.00"

    Examples:
      | gateway        | network    | mine             |
      | africastalking | mtn        | MTN MoMo         |
      | hubtel         | telecel    | Telecel Cash     |
      | arkesel        | airteltigo | AirtelTigo Money |
      | nalo           | mtn        | MTN MoMo         |

  Scenario Outline: The payment menu marks my own network from the <gateway> operator field "<operator>"
    Given I call through "<gateway>" with the operator field "<operator>"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Top up wallet"
    And I enter "50"
    And I choose "Confirm"
    Then the payment menu marks "<mine>" as my network

    Examples:
      | gateway        | operator   | mine             |
      | africastalking | 62001      | MTN MoMo         |
      | africastalking | 62002      | Telecel Cash     |
      | africastalking | 62003      | AirtelTigo Money |
      | africastalking | 62006      | AirtelTigo Money |
      | hubtel         | mtn        | MTN MoMo         |
      | hubtel         | vodafone   | Telecel Cash     |
      | hubtel         | tigo       | AirtelTigo Money |
      | hubtel         | airtel     | AirtelTigo Money |
      | hubtel         | AirtelTigo | AirtelTigo Money |
      | arkesel        | MTN        | MTN MoMo         |
      | arkesel        | VODAFONE   | Telecel Cash     |
      | arkesel        | AIRTELTIGO | AirtelTigo Money |
      | nalo           | MTN        | MTN MoMo         |
      | nalo           | VODAFONE   | Telecel Cash     |
      | nalo           | AIRTELTIGO | AirtelTigo Money |

  Scenario Outline: An operator field the line does not know marks nothing (<gateway>)
    Given I call through "<gateway>" with the operator field "<operator>"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Top up wallet"
    And I enter "50"
    And I choose "Confirm"
    Then I see "1. MTN MoMo"
    And I do not see "(yours)"

    Examples:
      | gateway        | operator       |
      | africastalking | 63902          |
      | hubtel         | Hubtel-Android |
      | arkesel        | GLO            |
      | nalo           |                |

  Scenario Outline: Dialling *384*303*2# through <gateway> opens my orders at once
    Given I call through "<gateway>"
    And I am a verified customer "Ama Mensah"
    When I dial "*384*303*2#"
    Then I see "You have no orders yet."
    And I see "1. Make deposit"
    When I choose "Make deposit"
    Then I see "1. Cylinder deposit"

    Examples:
      | gateway        |
      | africastalking |
      | hubtel         |
      | arkesel        |
      | nalo           |

  Scenario Outline: A deep dial the line does not know starts as usual (<gateway>, <dialled>)
    Given I call through "<gateway>"
    And I am a verified customer "Ama Mensah"
    When I dial "<dialled>"
    Then the screen starts with "Hi Ama"
    And I see "6. My account"

    Examples:
      | gateway        | dialled         |
      | africastalking | *384*303*9#     |
      | africastalking | *384*303*2*5#   |
      | hubtel         | *384*303*9#     |
      | hubtel         | *384*303*2*5#   |
      | arkesel        | *384*303*77#    |
      | nalo           | *384*303*0#     |

  Scenario Outline: A deep dial from a caller not registered opens the welcome screen (<gateway>)
    Given I call through "<gateway>"
    And I am not registered
    When I dial "*384*303*2#"
    Then the screen starts with "Welcome to Demo Gas"
    And I see "1. Register"

    Examples:
      | gateway        |
      | africastalking |
      | hubtel         |
      | arkesel        |
      | nalo           |

  Scenario Outline: Hubtel ending the session (<event>) changes nothing and I can continue
    Given I call through "hubtel"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    Then I see "Choose a cylinder:"
    When Hubtel reports that the session ended by "<event>"
    And I dial again
    Then I am offered to continue "a deposit" or start over
    When I enter "1"
    Then I see "Choose a cylinder:"
    When I choose "3kg steel"
    Then I see "Total GHS 142.00"

    Examples:
      | event   |
      | release |
      | timeout |

  Scenario Outline: A hop <gateway> sends twice is answered once
    Given I call through "<gateway>"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "1", "1", "5"
    Then the session ends, page by page, with "placed"
    When the network sends my last answer again
    Then I see the same screen as before
    And I have placed 1 order

    Examples:
      | gateway        |
      | africastalking |
      | hubtel         |

  Scenario Outline: A first hop <gateway> sends twice is answered once
    Given I call through "<gateway>"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And the network sends my last answer again
    Then I see the same screen as before
    When I choose "Account balance"
    Then I see "Enter your PIN to see your balance"

    Examples:
      | gateway |
      | arkesel |
      | nalo    |

  Scenario: Nalo's 120 characters page a long list with 98 and 0
    Given I call through "nalo"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1"
    Then I see "Choose a cylinder:"
    And I see "98. More"
    And I do not see "12kg composite"
    When I enter "98"
    Then I see "12kg composite"
    And I see "0. Back"
    When I enter "0"
    Then I see "Choose a cylinder:"
    When I enter "5"
    Then I see "Total GHS 618.00"

  Scenario: Nalo's 120 characters page the gas-leak safety text, and its last page ends the call
    Given I call through "nalo"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Customer care"
    And I choose "Report a gas leak"
    Then I see "GAS LEAK: close the valve."
    And I see "go outside, call 192"
    And I see "98. More"
    And the session continues
    When I enter "98"
    Then the session ends with "or 112. We will call you."

  Scenario: Nalo's 120 characters page the mobile-money instructions
    Given I call through "nalo"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "1", "1", "1", "1"
    Then I see "Approve the GHS 142.00 prompt from Demo Gas"
    And I see "98. More"
    And the session continues
    When I enter "98"
    Then the session ends with "PIN by call or SMS."
